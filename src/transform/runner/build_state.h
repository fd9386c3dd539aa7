// BuildState: what earlier runs built and tested, kept in the warehouse, so
// a run can leave alone what nothing has changed and test only the rows
// that did change.
//
// Every table the runner builds (models, seeds, snapshots) carries a
// version: an opaque token that changes whenever its rows may have changed.
// Sources get theirs from their rows (count and newest loaded_at value),
// views and ephemeral models from their SQL and their inputs' versions.
// Alongside the version the state keeps the fingerprint of what produced
// the table (its compiled SQL, config and inputs' versions) and, for an
// incremental merge, the version it merged onto and its unique_key.
//
//   _sw_relation_state(relation, version, inputs, merged, base_version,
//                      merge_key, run_id)
//   _sw_test_state(test_id, sql_hash, inputs, run_id)
//
// A test's row says which versions of the relations it reads it last passed
// on (`inputs`, a JSON object of unique_id -> version).
//
// Crash safety: the runner forgets a relation's row (committed) before
// rebuilding it and records the new one after the build committed, so a
// run that dies in between leaves no row, and the next run neither skips
// the relation nor trusts earlier test results about it.
//
// Thread-safe: the runner's workers share one BuildState, each writing
// through its own connection (the `warehouse` argument); lookups return
// copies.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "warehouse/warehouse.h"

namespace silverwork::transform {

inline constexpr std::string_view kRelationStateTable = "_sw_relation_state";
inline constexpr std::string_view kTestStateTable = "_sw_test_state";

struct RelationState {
  std::string version;
  std::string inputs;
  // The version came from merging rows onto `base_version` (delete+insert
  // on `merge_key`), not from building the table afresh.
  bool merged = false;
  std::string base_version;
  std::vector<std::string> merge_key;
  std::string run_id;  // the run that produced this version
};

struct TestState {
  std::string sql_hash;
  // unique_id -> version of every node the test reads, when it last passed.
  std::map<std::string, std::string> inputs;
  std::string run_id;
};

class BuildState {
 public:
  // Creates the state tables when missing and reads them.
  static Result<BuildState> Load(Warehouse& warehouse);

  BuildState(BuildState&& other) noexcept;
  BuildState& operator=(BuildState&&) = delete;

  std::optional<RelationState> Relation(std::string_view relation) const;
  // Deletes the relation's row (its own transaction) before the relation is
  // rebuilt; a no-op when there is none.
  Status Forget(Warehouse& warehouse, std::string_view relation);
  Status Record(Warehouse& warehouse, const std::string& relation, RelationState state);

  std::optional<TestState> Test(std::string_view test_id) const;
  Status ForgetTest(Warehouse& warehouse, std::string_view test_id);
  Status RecordTest(Warehouse& warehouse, const std::string& test_id, TestState state);

 private:
  BuildState() = default;

  // Guards the maps, never held while the engine runs: two workers' rows
  // differ, so their writes need no ordering beyond the engine's own.
  mutable std::mutex mutex_;
  std::map<std::string, RelationState, std::less<>> relations_;
  std::map<std::string, TestState, std::less<>> tests_;
};

// A short stable hash (16 hex digits, FNV-1a 64) of `parts`, each length-
// prefixed so that ("ab", "c") and ("a", "bc") differ.
std::string Fingerprint(std::initializer_list<std::string_view> parts);
std::string Fingerprint(const std::vector<std::string>& parts);

// True when `sql` reads the clock or a random source (now, current_date,
// random(), ...): such a model's result can change with nothing it reads
// changing, so it is never left as it was.
bool IsNonDeterministic(std::string_view sql);

}  // namespace silverwork::transform
