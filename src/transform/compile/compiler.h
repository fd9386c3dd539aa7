// Compiler: turns a node into the SQL the warehouse runs.
//
// Models, snapshots and singular tests render their template: ref() and
// source() become quoted relations, config() renders nothing, var() and
// is_incremental() take the invocation's values, dbt's context and the
// project's macros come from dbt_context.h (adapter macros are macros of the
// built-in package that dispatch on target.type, the engine's name). A ref()
// rendered from a macro must name one of the node's parents, as dbt requires.
// A ref to an ephemeral model renders as the CTE name
// "__sw_ephemeral__<name>" and the model's SQL is inlined as a CTE at the
// top of the referencing statement (merged into its own WITH if it has one),
// transitive ephemerals first. Generic tests compile to a SELECT of the
// failing rows.
//
// One Compiler serves one invocation; ephemeral SQL is rendered once and
// reused. Not thread-safe.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "common/status.h"
#include "transform/compile/dbt_context.h"
#include "transform/project/manifest.h"
#include "warehouse/engine_traits.h"
#include "warehouse/warehouse.h"

namespace silverwork::transform {

// The prefix of the CTE an ephemeral model becomes.
inline constexpr std::string_view kEphemeralPrefix = "__sw_ephemeral__";

class Compiler {
 public:
  // REQUIRES: all arguments outlive the compiler. `context` fills dbt's
  // context (target, invocation_id, ...); its target type defaults to the engine's.
  Compiler(const Manifest& manifest, const EngineTraits& traits, const VarMap& vars,
           DbtContextValues context = {});

  // The SQL of a model, snapshot or singular test, without a trailing ';'.
  // `is_incremental` is what is_incremental() returns.
  Result<std::string> Compile(const Node& node, bool is_incremental);

  // The SELECT returning a generic test's failing rows. With `increment`
  // (the quoted table of rows an incremental merge just inserted into the
  // tested model), only the failing rows those rows can have brought in.
  // REQUIRES: node.generic_test.
  Result<std::string> CompileGenericTest(const Node& node, std::string_view increment = {});

  // How SQL names the node: "schema"."identifier" for sources, the CTE name
  // for ephemeral models, the quoted relation otherwise.
  std::string RelationSql(const Node& node) const;

 private:
  // Renders without ephemeral CTEs; appends the ephemeral models it refs.
  Result<std::string> Render(const Node& node, bool is_incremental, std::vector<int>& ephemerals);
  // Prepends the CTEs of `ephemerals` (and theirs) to `sql`.
  Result<std::string> InlineEphemerals(const std::string& sql, const std::vector<int>& ephemerals);
  Status CollectEphemeral(int index, std::vector<int>& ordered, std::vector<int>& visiting);

  const Manifest& manifest_;
  const Dialect& dialect_;
  const VarMap& vars_;
  DbtContext context_;
  struct RenderedEphemeral {
    std::string sql;
    std::vector<int> ephemerals;
  };
  std::map<int, RenderedEphemeral> ephemeral_cache_;
};

// `sql` with trailing whitespace and semicolons removed.
std::string TrimStatement(std::string sql);

// Inserts `ctes` ("name AS (...), ...") into `sql`: after its leading WITH
// [RECURSIVE] when it has one, else as a new WITH clause. Leading comments
// are skipped.
std::string InjectCtes(const std::string& sql, const std::string& ctes);

}  // namespace silverwork::transform
