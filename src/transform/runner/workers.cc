#include "transform/runner/workers.h"

#include <spdlog/spdlog.h>

namespace silverwork::transform {

WorkerPool::WorkerPool(Warehouse& main, int threads, Clock& clock)
    // Bulk-building settings (page cache, temporary storage) for this
    // command, the connection's own put back when it ends.
    : tuned_main_(main, Workload::kBulkBuild),
      // Maintenance off the critical path: a full build commits gigabytes.
      maintenance_(main.MaintainInBackground()) {
  // More connections for the other workers, tuned the same way; fewer
  // workers when the engine cannot share the warehouse.
  for (int added = 1; added < threads; ++added) {
    auto peer = main.OpenPeer();
    if (!peer.ok()) {
      spdlog::debug("building on {} connection(s): {}", peers_.size() + 1,
                    peer.status().ToString());
      break;
    }
    peers_.push_back(std::move(peer).value());
  }
  for (const auto& peer : peers_)
    tuned_peers_.push_back(std::make_unique<TunedSession>(*peer, Workload::kBulkBuild));
  const bool concurrent = !peers_.empty();
  workers_.push_back(std::make_unique<Worker>(1, main, clock, concurrent));
  for (const auto& peer : peers_)
    workers_.push_back(
        std::make_unique<Worker>(static_cast<int>(workers_.size()) + 1, *peer, clock, concurrent));
  for (const auto& worker : workers_) worker_list_.push_back(worker.get());
}

}  // namespace silverwork::transform
