#include "transform/runner/work_queue.h"

namespace silverwork::transform {

WorkQueue::WorkQueue(std::span<Worker* const> workers, const NodeRunner& run)
    : run_(run), finished_(workers.size()) {
  if (workers.size() < 2) return;
  for (Worker* worker : workers) inboxes_[worker] = std::make_unique<BlockingQueue<int>>(1);
  for (Worker* worker : workers) {
    threads_.emplace_back([this, worker] {
      while (std::optional<int> index = inboxes_.at(worker)->Pop())
        finished_.Push({*index, worker, run_(*index, *worker)});
    });
  }
}

WorkQueue::~WorkQueue() {
  for (auto& [worker, inbox] : inboxes_) inbox->Close();
  for (std::thread& thread : threads_) thread.join();
}

void WorkQueue::Start(int index, Worker& worker) {
  if (threads_.empty()) {
    finished_.Push({index, &worker, run_(index, worker)});
  } else {
    inboxes_.at(&worker)->Push(index);
  }
}

WorkQueue::Finished WorkQueue::Next() { return std::move(finished_.Pop()).value(); }

}  // namespace silverwork::transform
