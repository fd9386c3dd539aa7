#include "transform/runner/scheduler.h"

#include <algorithm>

#include "transform/runner/node_runners.h"

namespace silverwork::transform {

Scheduler::Scheduler(const Manifest& manifest, std::span<Worker* const> workers, bool fail_fast,
                     std::function<double()> seconds_since_start)
    : manifest_(manifest),
      workers_(workers.begin(), workers.end()),
      seconds_since_start_(std::move(seconds_since_start)),
      skips_(manifest, fail_fast) {}

std::vector<NodeResult> Scheduler::Run(const std::vector<bool>& runs,
                                       const WorkQueue::NodeRunner& run,
                                       const std::function<void(const NodeResult&)>& on_finished) {
  const size_t count = manifest_.nodes().size();
  on_finished_ = &on_finished;
  waits_ = Waits(runs);
  pending_ = PriorityOrder(waits_);
  done_.assign(count, false);
  finished_.assign(count, std::nullopt);
  idle_.assign(workers_.rbegin(), workers_.rend());
  WorkQueue queue(workers_, run);
  while (!pending_.empty() || running_ > 0) {
    StartReady(runs, queue);
    if (running_ == 0) {
      // Unreachable: the waits follow the manifest's order. Never drop a node silently.
      for (int index : pending_)
        if (runs[static_cast<size_t>(index)])
          Complete(index, Skipped(manifest_.node(index), "skipped: what it waits for never ran"));
      break;
    }
    WorkQueue::Finished next = queue.Next();
    --running_;
    idle_.push_back(next.worker);
    Complete(next.index, std::move(next.result));
  }
  std::vector<NodeResult> results;
  for (int index : manifest_.order())
    if (finished_[static_cast<size_t>(index)])
      results.push_back(std::move(*finished_[static_cast<size_t>(index)]));
  return results;
}

std::vector<std::vector<int>> Scheduler::Waits(const std::vector<bool>& runs) const {
  const size_t count = manifest_.nodes().size();
  // A test reading a model's own readers, such as a singular test comparing
  // a mart with its facts, comes after them in the manifest's order.
  std::vector<size_t> position(count);
  for (size_t at = 0; at < manifest_.order().size(); ++at)
    position[static_cast<size_t>(manifest_.order()[at])] = at;
  std::vector<std::vector<int>> waits(count);
  for (const Node& node : manifest_.nodes()) waits[static_cast<size_t>(node.index)] = node.parents;
  for (const Node& test : manifest_.nodes()) {
    if (test.kind != ResourceKind::kTest || !runs[static_cast<size_t>(test.index)]) continue;
    for (int tested : test.tested)
      for (const Node& reader : manifest_.nodes())
        if (reader.kind != ResourceKind::kTest &&
            position[static_cast<size_t>(test.index)] <
                position[static_cast<size_t>(reader.index)] &&
            std::find(reader.parents.begin(), reader.parents.end(), tested) != reader.parents.end())
          waits[static_cast<size_t>(reader.index)].push_back(test.index);
  }
  return waits;
}

std::vector<size_t> Scheduler::DescendantCounts(const std::vector<std::vector<int>>& waits) {
  const size_t count = waits.size();
  std::vector<std::vector<int>> readers(count);
  for (size_t index = 0; index < count; ++index)
    for (int wait : waits[index])
      readers[static_cast<size_t>(wait)].push_back(static_cast<int>(index));
  std::vector<size_t> below(count, 0);
  for (size_t index = 0; index < count; ++index) {
    std::vector<bool> seen(count, false);
    std::vector<int> stack = readers[index];
    while (!stack.empty()) {
      int next = stack.back();
      stack.pop_back();
      if (seen[static_cast<size_t>(next)]) continue;
      seen[static_cast<size_t>(next)] = true;
      ++below[index];
      for (int reader : readers[static_cast<size_t>(next)]) stack.push_back(reader);
    }
  }
  return below;
}

std::vector<int> Scheduler::PriorityOrder(const std::vector<std::vector<int>>& waits) const {
  std::vector<int> order(manifest_.order().begin(), manifest_.order().end());
  if (workers_.size() > 1) {
    std::vector<size_t> below = DescendantCounts(waits);
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
      return below[static_cast<size_t>(a)] > below[static_cast<size_t>(b)];
    });
  }
  return order;
}

void Scheduler::StartReady(const std::vector<bool>& runs, WorkQueue& queue) {
  for (bool started = true; started;) {
    started = false;
    for (auto it = pending_.begin(); it != pending_.end(); ++it) {
      const Node& node = manifest_.node(*it);
      const std::vector<int>& wait = waits_[static_cast<size_t>(node.index)];
      if (!std::all_of(wait.begin(), wait.end(),
                       [&](int index) { return done_[static_cast<size_t>(index)]; }))
        continue;
      if (!runs[static_cast<size_t>(node.index)]) {
        if (IsEphemeral(node)) skips_.PassThroughEphemeral(node);
        done_[static_cast<size_t>(node.index)] = true;
      } else if (std::string reason = skips_.ReasonFor(node); !reason.empty()) {
        Complete(node.index, Skipped(node, reason));
      } else if (idle_.empty()) {
        continue;
      } else {
        Worker* worker = idle_.back();
        idle_.pop_back();
        ++running_;
        queue.Start(node.index, *worker);
      }
      pending_.erase(it);
      started = true;
      break;
    }
  }
}

void Scheduler::Complete(int index, NodeResult result) {
  skips_.NoteFinished(manifest_.node(index), result);
  (*on_finished_)(result);
  finished_[static_cast<size_t>(index)] = std::move(result);
  done_[static_cast<size_t>(index)] = true;
}

NodeResult Scheduler::Skipped(const Node& node, const std::string& reason) {
  NodeResult result = ResultFor(node);
  result.started_seconds = seconds_since_start_();  // when it was skipped
  result.status = NodeStatus::kSkipped;
  result.message = reason;
  skips_.NoteSkipped(node, reason);
  return result;
}

}  // namespace silverwork::transform
