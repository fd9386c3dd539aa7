// Data tests: a pass reused when nothing the test reads changed since it
// passed, narrowed to the rows merged in this run when only those can
// fail, answered by a unique index when one guarantees it, else run.
#include <fmt/format.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "transform/runner/node_runners.h"

namespace silverwork::transform {
namespace {

// What a test runs, and how much of the data that is when not all of it.
struct TestPlan {
  std::string sql;
  std::string scope;  // e.g. " (looked at the 3 rows merged into x this run; ...)"
};

// A test whose SQL and inputs are what they were when it last passed.
void ReusePass(const RunContext& context, const Node& node, const TestState& last,
               NodeResult& result, Worker& worker) {
  result.status = NodeStatus::kPass;
  result.up_to_date = true;
  result.rows_affected = 0;
  result.message =
      fmt::format("pass: nothing it reads changed since it passed in run {}", last.run_id);
  TestOutcome outcome;
  outcome.message = result.message;
  Audit(context, node, outcome, result, worker);
}

// Narrows `plan` to the rows merged into the tested model in this run, when
// the state says only those can fail (ChangeTracker::IncrementToTest).
Status NarrowToIncrement(RunContext& context, const Node& node, const TestState& last,
                         const TestState& now, TestPlan& plan, NodeResult& result, Worker& worker) {
  std::optional<MergedIncrement> increment = context.changes()->IncrementToTest(node, last, now);
  if (!increment) return Status::Ok();
  auto narrowed = context.Timed(result.compile_seconds, [&] {
    return context.CompileTest(node, worker.warehouse.dialect().QuoteIdentifier(increment->table));
  });
  if (!narrowed.ok()) return narrowed.status();
  plan.sql = *narrowed;
  plan.scope =
      fmt::format(" (looked at the {} row{} merged into {} this run; the rest passed in run {})",
                  increment->rows, increment->rows == 1 ? "" : "s",
                  context.manifest().node(node.tested.front()).name, last.run_id);
  return Status::Ok();
}

// For a `unique` test without a `where` filter on a table (or source)
// column that a unique index of the engine covers on its own: the index's
// name. NULLs are not compared by either. Empty otherwise.
Result<std::string> UniqueIndexFor(const RunContext& context, const Node& node, Worker& worker) {
  if (!node.generic_test || node.generic_test->kind != "unique" || !node.config.where.empty() ||
      node.tested.size() != 1)
    return std::string();
  const Node& tested = context.manifest().node(node.tested.front());
  if (!tested.schema.empty() || IsEphemeral(tested)) return std::string();
  SW_ASSIGN_OR_RETURN(RelationKind kind, worker.materializer.KindOf(tested.relation));
  if (kind != RelationKind::kTable) return std::string();
  std::map<std::string, std::vector<std::string>> columns_by_index;
  const Value params[] = {tested.relation};
  SW_RETURN_IF_ERROR(worker.warehouse.Query(
      context.traits().unique_index_columns_sql(), params, [&](const Row& row) {
        columns_by_index[ValueToString(row.at(0))].push_back(ValueToString(row.at(1)));
        return Status::Ok();
      }));
  const std::vector<std::string> column = {node.generic_test->column};
  for (const auto& [index, columns] : columns_by_index)
    if (SameColumns(columns, column)) return index;
  return std::string();
}

// Runs `plan` (or lets a unique index answer) and audits the outcome. An
// error means the test could not even start (nothing audited).
Status RunPlan(const RunContext& context, const Node& node, const TestPlan& plan,
               NodeResult& result, Worker& worker) {
  std::string index;  // a unique index that already guarantees the test
  if (plan.scope.empty()) {
    auto found = context.Timed(result.execute_seconds,
                               [&] { return UniqueIndexFor(context, node, worker); });
    if (!found.ok()) return found.status();
    index = *found;
  }
  auto outcome = context.Timed(result.execute_seconds, [&]() -> Result<TestOutcome> {
    if (!index.empty())
      return TestOutcome{.message = fmt::format("passed: unique index {} on {} guarantees it",
                                                index, node.generic_test->column)};
    return RunDataTest(worker.warehouse, plan.sql, node.config.severity);
  });
  TestOutcome recorded;
  if (outcome.ok()) {
    recorded = *outcome;
    result.status = outcome->status;
    result.message = outcome->message + plan.scope;
    result.rows_affected = outcome->failures;
  } else {
    Fail(node, result, outcome.status());
    recorded.status = NodeStatus::kError;
    recorded.message = result.message;
  }
  Audit(context, node, recorded, result, worker);
  return Status::Ok();
}

}  // namespace

void RunTest(RunContext& context, const Node& node, NodeResult& result, Worker& worker) {
  auto sql = context.Timed(result.compile_seconds, [&] { return context.CompileTest(node); });
  if (!sql.ok()) return Fail(node, result, sql.status());
  context.WriteCompiled(node, *sql, result);
  TestPlan plan{.sql = *sql};
  ChangeTracker* changes = context.changes();
  if (!changes) {
    if (Status ran = RunPlan(context, node, plan, result, worker); !ran.ok())
      Fail(node, result, ran);
    return;
  }
  TestState now = changes->TestInputs(node, *sql, worker);
  std::optional<TestState> last = changes->LastPass(node);
  if (last && last->sql_hash == now.sql_hash) {
    if (last->inputs == now.inputs) return ReusePass(context, node, *last, result, worker);
    if (Status narrowed = NarrowToIncrement(context, node, *last, now, plan, result, worker);
        !narrowed.ok())
      return Fail(node, result, narrowed);
  }
  if (Status ran = RunPlan(context, node, plan, result, worker); !ran.ok())
    return Fail(node, result, ran);
  changes->RecordTest(node, result, std::move(now), worker);
}

}  // namespace silverwork::transform
