// WorkQueue: runs nodes on workers — inline on the calling thread when there
// is one worker, else each worker on a thread of its own, one node at a
// time — and hands finished nodes back to the calling thread in the order
// they finish.
//
// Start and Next are called from one (the scheduling) thread; the node
// runner is called from the worker threads and must be thread-safe.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <span>
#include <thread>
#include <vector>

#include "common/blocking_queue.h"
#include "transform/run_results.h"
#include "transform/runner/workers.h"

namespace silverwork::transform {

class WorkQueue {
 public:
  using NodeRunner = std::function<NodeResult(int index, Worker& worker)>;
  struct Finished {
    int index = -1;
    Worker* worker = nullptr;
    NodeResult result;
  };

  // REQUIRES: `workers` and `run` outlive the queue.
  WorkQueue(std::span<Worker* const> workers, const NodeRunner& run);
  // Waits for the running nodes and stops the threads.
  ~WorkQueue();
  WorkQueue(const WorkQueue&) = delete;
  WorkQueue& operator=(const WorkQueue&) = delete;

  // REQUIRES: `worker` is idle.
  void Start(int index, Worker& worker);
  // Waits for a started node to finish. REQUIRES: one is running.
  Finished Next();

 private:
  const NodeRunner& run_;
  // Set up before the threads start and only read by them.
  std::map<Worker*, std::unique_ptr<BlockingQueue<int>>> inboxes_;
  BlockingQueue<Finished> finished_;
  std::vector<std::thread> threads_;
};

}  // namespace silverwork::transform
