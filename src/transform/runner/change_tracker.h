// ChangeTracker: what changed since earlier runs, decided from the build
// state (build_state.h) while one invocation runs — the versions of what
// each node reads, whether a model or seed is up to date, what a build or a
// test result leaves for the next run, and which rows merged in this run a
// test may look at instead of the whole model.
//
// The node runners ask it; it never decides how a node is built. Versions
// of sources, views and ephemeral models are computed once per run (they
// are asked for only once everything above them has run, so they are fixed
// for the rest of it).
//
// Thread-safe: the workers share one tracker; each writes the state through
// its own connection.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <string>

#include "common/status.h"
#include "transform/materializations/materializer.h"
#include "transform/project/manifest.h"
#include "transform/run_results.h"
#include "transform/runner/build_state.h"
#include "transform/runner/workers.h"

namespace silverwork::transform {

class RunContext;

// The rows an incremental merge inserted in this run, kept in `table` until
// the run ends.
struct MergedIncrement {
  std::string table;
  int64_t rows = 0;
};

// A relation's row count this run learnt without counting it: outright
// (`rows`: a table built afresh, a seed, a new snapshot, a source whose
// version was read), or as `added` rows onto the rows at `base_version`
// (a merge, a snapshot's new versions).
struct LearntRowCount {
  std::optional<int64_t> rows;
  std::string base_version;
  int64_t added = 0;
};

class ChangeTracker {
 public:
  // REQUIRES: `context` outlives the tracker.
  ChangeTracker(RunContext& context, BuildState state);
  ChangeTracker(const ChangeTracker&) = delete;
  ChangeTracker& operator=(const ChangeTracker&) = delete;

  // --- Models, seeds and snapshots.

  // The fingerprint of everything a model's rows depend on: its SQL as a
  // full build compiles it (`full_sql`, compiled here when empty), its
  // config, and the versions of what it reads. Empty for SQL that reads the
  // clock or a random source.
  Result<std::string> ModelInputs(const Node& node, std::string full_sql, Worker& worker);
  // Whether the node's relation is there, of the right kind, built from
  // exactly `inputs` (never for empty inputs).
  Result<bool> UpToDate(const Node& node, const std::string& inputs, Worker& worker);
  // Marks `result` as left alone: up to date since the run that built it.
  void MarkUpToDate(const Node& node, NodeResult& result) const;
  // What the state says of the node's relation before it is rebuilt.
  std::optional<RelationState> Relation(const Node& node) const;
  // Forgets the node's relation (committed) before it is rebuilt, so a run
  // that dies before RecordBuilt leaves no row.
  Status Forget(const Node& node, Worker& worker);
  // Records the new state of a relation just built from `inputs`: a new
  // version, unless an incremental merge changed no row; for a merge, what
  // it merged onto, and its increment kept for the tests that follow; what
  // the build says of its row count (LearntRows; `previous` is what a merge
  // or a snapshot added rows onto).
  // A failure to record turns `result` into an error.
  void RecordBuilt(const Node& node, const std::string& inputs,
                   const std::optional<RelationState>& previous, const BuildOutcome& built,
                   NodeResult& result, Worker& worker);

  // --- Tests.

  // The test's SQL hash and the versions of everything it reads, now.
  TestState TestInputs(const Node& node, const std::string& sql, Worker& worker);
  // What the test was when it last passed, if it did.
  std::optional<TestState> LastPass(const Node& node) const;
  // The increment a generic test may look at instead of the whole model:
  // the tested model was merged in this run onto exactly the version the
  // test last passed on, so every failing row now must involve a merged row,
  // and everything else the test reads is as it was then. A relationships
  // test also accepts a parent merged once on its `field` (a delete+insert
  // on the key never loses a key value). None when the test must run in full.
  std::optional<MergedIncrement> IncrementToTest(const Node& node, const TestState& last,
                                                 const TestState& now);
  // Remembers a pass on fully known inputs; forgets anything else, so the
  // next run tests every row again. A failure to record turns `result` into
  // an error.
  void RecordTest(const Node& node, NodeResult& result, TestState now, Worker& worker);

  // Drops the tables of this run's increments. REQUIRES: no node is running.
  void DropIncrements(Worker& worker);

  // --- The data catalog (catalog_store.h).

  // The version of the node's rows now: a row count taken at one version
  // holds while the version does. Empty when unknown (never built with the
  // state on, or its state lost). A source without loaded_at_field and SQL
  // reading the clock get a new version each run, so they never match.
  std::string RowsVersion(const Node& node, Worker& worker);
  // What this run learnt of the node's row count at its current version.
  std::optional<LearntRowCount> LearntRows(const Node& node);

 private:
  // A token no other build of any relation has had.
  std::string NewVersion(const Node& node);
  // unique_id=version of each node `node` reads, one per line.
  std::string ParentVersions(const Node& node, Worker& worker);
  // The version of a node's rows as of now (see build_state.h); empty when
  // unknown (never built, or its state lost), which matches nothing.
  std::string Version(int index, Worker& worker);
  // A source's rows as of now: their count and newest loaded_at value. A
  // source without a loaded_at_field gets a new version on every run.
  std::string SourceVersion(const Node& node, Worker& worker);
  // Keeps what a build says of the node's row count (LearntRows).
  void LearnRows(const Node& node, const std::optional<RelationState>& previous,
                 const BuildOutcome& built);

  RunContext& context_;
  const Manifest& manifest_;
  BuildState state_;
  // Guards versions_, increments_, learnt_rows_ and random_; recursive
  // because a view's version is made of its parents'. Never held while the
  // engine writes.
  std::recursive_mutex mutex_;
  // Versions of sources, views and ephemeral models, fixed once asked for.
  std::map<int, std::string> versions_;
  // Incremental models merged in this run -> the table of their merged rows.
  std::map<int, MergedIncrement> increments_;
  // Row counts learnt in this run (sources' with their versions, built
  // relations' from their builds).
  std::map<int, LearntRowCount> learnt_rows_;
  std::mt19937_64 random_{std::random_device{}()};
};

}  // namespace silverwork::transform
