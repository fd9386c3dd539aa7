// Snapshots: always run (they stamp rows with the clock), staging only the
// rows that may have changed once their table exists.
#include <string>

#include "common/date.h"
#include "transform/materializations/snapshot.h"
#include "transform/runner/node_runners.h"

namespace silverwork::transform {

void RunSnapshot(RunContext& context, const Node& node, NodeResult& result, Worker& worker) {
  // is_incremental() lets a snapshot stage only the source rows that can
  // have changed since its last run.
  auto sql = context.Timed(result.compile_seconds, [&]() -> Result<std::string> {
    bool incremental = false;
    if (!context.options().full_refresh) {
      SW_ASSIGN_OR_RETURN(RelationKind kind, worker.materializer.KindOf(node.relation));
      incremental = kind == RelationKind::kTable;
    }
    return context.Compile(node, incremental);
  });
  if (!sql.ok()) return Fail(node, result, sql.status());
  context.WriteCompiled(node, *sql, result);
  // A snapshot stamps rows with the clock, so it always runs; its rows get
  // a new version each time.
  ChangeTracker* changes = context.changes();
  std::optional<RelationState> previous;  // what its new versions add onto
  if (changes) {
    previous = changes->Relation(node);
    if (Status forgotten = changes->Forget(node, worker); !forgotten.ok())
      return Fail(node, result, forgotten);
  }
  auto built = context.Timed(result.execute_seconds, [&] {
    return BuildSnapshot(worker.warehouse, node.relation, *sql, node.config,
                         FormatUtcTimestamp(context.clock().Now()));
  });
  Finish(node, result, built);
  if (built.ok() && changes)
    changes->RecordBuilt(node, std::string(), previous, *built, result, worker);
}

}  // namespace silverwork::transform
