// Source freshness: the newest loaded_at value against the injected clock,
// audited like a test.
#include "transform/data_tests/freshness.h"
#include "transform/runner/node_runners.h"

namespace silverwork::transform {

void RunFreshness(RunContext& context, const Node& node, NodeResult& result, Worker& worker) {
  auto outcome = context.Timed(result.execute_seconds, [&] {
    return CheckFreshness(worker.warehouse, context.RelationSql(node),
                          node.source_table->loaded_at_field, *node.source_table->freshness,
                          context.clock().Now());
  });
  TestOutcome recorded;
  if (outcome.ok()) {
    recorded = *outcome;
    result.status = outcome->status;
    result.message = outcome->message;
  } else {
    Fail(node, result, outcome.status());
    recorded.status = NodeStatus::kError;
  }
  Audit(context, node, recorded, result, worker);
}

}  // namespace silverwork::transform
