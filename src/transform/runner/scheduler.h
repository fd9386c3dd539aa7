// Scheduler: runs the selected nodes of a manifest on the workers in
// dependency order and reports them in the manifest's order.
//
// A node starts once everything it reads has finished and, unless it is a
// test, once the tests on what it reads that the manifest's order puts
// before it have finished, so a failing test still skips everything
// downstream (skips.h). When several nodes are ready and there are several
// workers, the one more of the graph waits on starts first. How a node runs
// is the node runner's business (node_runners.h).
//
// Runs on the calling thread, which alone touches the skips and results;
// nodes run on the workers' threads (work_queue.h). Not thread-safe.
#pragma once

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "transform/project/manifest.h"
#include "transform/run_results.h"
#include "transform/runner/skips.h"
#include "transform/runner/work_queue.h"
#include "transform/runner/workers.h"

namespace silverwork::transform {

class Scheduler {
 public:
  // `seconds_since_start` stamps skipped nodes with when they were skipped.
  // REQUIRES: the arguments outlive the scheduler; at least one worker.
  Scheduler(const Manifest& manifest, std::span<Worker* const> workers, bool fail_fast,
            std::function<double()> seconds_since_start);

  // Runs (or skips) every node marked in `runs` with `run`, calling
  // `on_finished` on this thread as each finishes or is skipped. The results
  // come back in the manifest's order. REQUIRES: called once.
  std::vector<NodeResult> Run(const std::vector<bool>& runs, const WorkQueue::NodeRunner& run,
                              const std::function<void(const NodeResult&)>& on_finished);

 private:
  // What each node waits for: its parents and, for all but tests, the tests
  // on its parents that the manifest's order puts before it.
  std::vector<std::vector<int>> Waits(const std::vector<bool>& runs) const;
  // How many nodes wait, directly or not, on each node.
  static std::vector<size_t> DescendantCounts(const std::vector<std::vector<int>>& waits);
  // The nodes in the order to consider them: the manifest's, or with
  // several workers the most waited-on first.
  std::vector<int> PriorityOrder(const std::vector<std::vector<int>>& waits) const;
  // Starts (or settles) every pending node whose waits are over, in order.
  void StartReady(const std::vector<bool>& runs, WorkQueue& queue);
  // Records a node's result (run or skipped).
  void Complete(int index, NodeResult result);
  // A result for a node skipped for `reason`.
  NodeResult Skipped(const Node& node, const std::string& reason);

  const Manifest& manifest_;
  std::vector<Worker*> workers_;
  std::function<double()> seconds_since_start_;
  Skips skips_;
  // The state of the run.
  std::vector<std::vector<int>> waits_;
  std::vector<int> pending_;
  std::vector<bool> done_;
  std::vector<std::optional<NodeResult>> finished_;
  std::vector<Worker*> idle_;
  size_t running_ = 0;
  const std::function<void(const NodeResult&)>* on_finished_ = nullptr;
};

}  // namespace silverwork::transform
