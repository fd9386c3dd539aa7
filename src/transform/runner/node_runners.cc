#include "transform/runner/node_runners.h"

#include "common/date.h"

namespace silverwork::transform {
namespace {

// Prefixes `path: ` unless the message already starts with it (template
// errors carry "path:line:").
std::string Located(const std::string& path, const Status& status) {
  std::string message = status.message();
  if (!message.starts_with(path)) message = path + ": " + message;
  if (!status.hint().empty()) message += " (to fix: " + status.hint() + ")";
  return message;
}

}  // namespace

NodeResult RunNode(RunContext& context, int index, Worker& worker) {
  const Node& node = context.manifest().node(index);
  NodeResult result = ResultFor(node);
  result.started_seconds = context.SecondsSinceStart();
  result.thread = worker.id;
  switch (node.kind) {
    case ResourceKind::kModel:
      RunModel(context, node, result, worker);
      break;
    case ResourceKind::kSeed:
      RunSeed(context, node, result, worker);
      break;
    case ResourceKind::kSnapshot:
      RunSnapshot(context, node, result, worker);
      break;
    case ResourceKind::kTest:
      RunTest(context, node, result, worker);
      break;
    case ResourceKind::kSource:
      RunFreshness(context, node, result, worker);
      break;
  }
  return result;
}

NodeResult ResultFor(const Node& node) {
  NodeResult result;
  result.unique_id = node.unique_id;
  result.resource_type = ResourceKindName(node.kind);
  result.path = node.path;
  return result;
}

void Fail(const Node& node, NodeResult& result, const Status& status) {
  result.status = NodeStatus::kError;
  result.message = Located(node.path, status);
}

void Finish(const Node& node, NodeResult& result, const Result<BuildOutcome>& built) {
  if (!built.ok()) return Fail(node, result, built.status());
  result.status = NodeStatus::kSuccess;
  result.rows_affected = built->rows_affected;
  result.message = built->message;
}

void Audit(const RunContext& context, const Node& node, const TestOutcome& outcome,
           NodeResult& result, Worker& worker) {
  Status status = RecordTestOutcome(worker.warehouse, context.run_id(), node.unique_id, outcome,
                                    FormatUtcTimestamp(context.clock().Now()));
  if (!status.ok()) {
    result.status = NodeStatus::kError;
    result.message +=
        "; recording it in " + std::string(kAuditTable) + " failed: " + status.message();
  }
}

}  // namespace silverwork::transform
