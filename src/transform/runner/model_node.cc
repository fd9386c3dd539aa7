// Models: compiled (incrementally when the model is incremental and its
// table is there), left alone when the build state says nothing they read
// changed, else built by their materialization.
#include <optional>
#include <string>
#include <utility>

#include "transform/runner/node_runners.h"

namespace silverwork::transform {
namespace {

// The model's SQL and whether it was compiled as an increment.
Result<std::pair<std::string, bool>> CompileModel(RunContext& context, const Node& node,
                                                  Worker& worker) {
  bool incremental = false;
  if (node.config.materialized == Materialization::kIncremental &&
      !context.options().full_refresh) {
    SW_ASSIGN_OR_RETURN(RelationKind kind, worker.materializer.KindOf(node.relation));
    incremental = kind == RelationKind::kTable;
  }
  SW_ASSIGN_OR_RETURN(std::string sql, context.Compile(node, incremental));
  return std::make_pair(std::move(sql), incremental);
}

Result<BuildOutcome> BuildModel(const Node& node, const std::string& sql, bool incremental,
                                bool keep_increment, Worker& worker) {
  TableIndexes indexes{.indexes = node.config.indexes};
  switch (node.config.materialized) {
    case Materialization::kView:
      return worker.materializer.BuildView(node.relation, sql);
    case Materialization::kIncremental:
      indexes.unique_key = node.config.unique_key;
      if (incremental)
        return worker.materializer.MergeIncrement(node.relation, sql, indexes, keep_increment);
      [[fallthrough]];
    case Materialization::kTable:
      return worker.materializer.BuildTable(node.relation, sql, indexes);
    case Materialization::kEphemeral:
      break;
  }
  return BuildOutcome{std::nullopt, "ephemeral: inlined where referenced"};
}

}  // namespace

void RunModel(RunContext& context, const Node& node, NodeResult& result, Worker& worker) {
  auto compiled =
      context.Timed(result.compile_seconds, [&] { return CompileModel(context, node, worker); });
  if (!compiled.ok()) return Fail(node, result, compiled.status());
  // References, not a structured binding: the lambdas below capture them, which
  // clang before 16 refuses for bindings.
  const std::string& sql = compiled->first;
  const bool incremental = compiled->second;
  context.WriteCompiled(node, sql, result);
  ChangeTracker* changes = context.changes();
  // What the model is built from; empty when it must be built regardless.
  std::string inputs;
  std::optional<RelationState> previous;
  if (changes) {
    auto checked = context.Timed(result.compile_seconds, [&]() -> Result<bool> {
      SW_ASSIGN_OR_RETURN(inputs,
                          changes->ModelInputs(node, incremental ? std::string() : sql, worker));
      return changes->UpToDate(node, inputs, worker);
    });
    if (!checked.ok()) return Fail(node, result, checked.status());
    if (*checked) return changes->MarkUpToDate(node, result);
    previous = changes->Relation(node);
    if (Status forgotten = changes->Forget(node, worker); !forgotten.ok())
      return Fail(node, result, forgotten);
  }
  auto built = context.Timed(result.execute_seconds, [&] {
    return BuildModel(node, sql, incremental, /*keep_increment=*/changes != nullptr, worker);
  });
  Finish(node, result, built);
  if (built.ok() && changes) changes->RecordBuilt(node, inputs, previous, *built, result, worker);
}

}  // namespace silverwork::transform
