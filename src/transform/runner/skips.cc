#include "transform/runner/skips.h"

#include <fmt/format.h>

namespace silverwork::transform {

Skips::Skips(const Manifest& manifest, bool fail_fast)
    : manifest_(manifest),
      fail_fast_(fail_fast),
      blocked_(manifest.nodes().size()),
      tests_failed_(manifest.nodes().size()) {}

std::string Skips::ReasonFor(const Node& node) const {
  if (!fail_fast_stop_.empty()) return fail_fast_stop_;
  for (int parent : node.parents) {
    const std::string& blocked = blocked_[static_cast<size_t>(parent)];
    if (!blocked.empty()) return blocked;
    const std::string& failed_test = tests_failed_[static_cast<size_t>(parent)];
    if (!failed_test.empty() && node.kind != ResourceKind::kTest) return failed_test;
  }
  return {};
}

void Skips::PassThroughEphemeral(const Node& node) {
  std::string reason = ReasonFor(node);
  if (!reason.empty()) blocked_[static_cast<size_t>(node.index)] = reason;
}

void Skips::NoteSkipped(const Node& node, const std::string& reason) {
  blocked_[static_cast<size_t>(node.index)] = reason;
}

void Skips::NoteFinished(const Node& node, const NodeResult& result) {
  bool failed = result.status == NodeStatus::kError || result.status == NodeStatus::kFail;
  if (!failed) return;
  if (node.kind == ResourceKind::kTest) {
    if (node.config.severity == Severity::kError) {
      for (int tested : node.tested)
        tests_failed_[static_cast<size_t>(tested)] = fmt::format(
            "skipped: test {} failed on {}", node.unique_id, manifest_.node(tested).unique_id);
    }
  } else if (node.kind != ResourceKind::kSource) {
    blocked_[static_cast<size_t>(node.index)] =
        fmt::format("skipped: upstream {} failed", node.unique_id);
  }
  if (fail_fast_)
    fail_fast_stop_ =
        fmt::format("skipped: --fail-fast stopped the run after {} failed", node.unique_id);
}

}  // namespace silverwork::transform
