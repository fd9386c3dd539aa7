// TransformProject: silverwork's model runner — a dbt-style project of SQL
// models, seeds, snapshots and data tests, executed against a Warehouse.
//
//   auto project = TransformProject::Load("models_project/");   // parse once
//   RunOptions options{.warehouse = warehouse.get()};
//   auto results = project->Build(options);                      // seeds, snapshots,
//   if (results.ok() && !results->ok()) ...                      // models, tests in DAG order
//
// Load reads silverwork_project.yml, every template and properties file, and
// validates the whole project (template subset, configs, refs, cycles)
// before anything touches the warehouse. Each command then resolves configs
// with the invocation's vars, selects nodes (selector.h syntax) and runs them
// in dependency order (on one connection, or `threads` side by side), writing compiled SQL and
// run_results.json to the artifacts folder.
//
// A command returns an error Status only when it could not run at all (bad
// selector or vars, no warehouse, an unreadable build state). Failing
// models and tests are reported in RunResults, which names every failure;
// nodes downstream of a failed model or of a failed error-severity test are
// skipped and the rest of the graph still runs (unless fail_fast).
//
// The template subset, adapter macros and materializations are documented
// in docs/transform.md. A TransformProject is immutable after Load and may be
// shared; each command needs its own Warehouse connection.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "transform/run_options.h"
#include "transform/run_results.h"
#include "warehouse/warehouse.h"

namespace silverwork::transform {

struct ProjectFiles;
class Manifest;

class TransformProject {
 public:
  // Loads and validates the project in `project_dir` (the folder holding
  // silverwork_project.yml).
  static Result<TransformProject> Load(const std::filesystem::path& project_dir);

  TransformProject(TransformProject&&) noexcept;
  TransformProject& operator=(TransformProject&&) noexcept;
  TransformProject(const TransformProject&) = delete;
  TransformProject& operator=(const TransformProject&) = delete;
  ~TransformProject();

  const std::string& name() const;
  const std::filesystem::path& root() const;

  // Seeds, snapshots, models, tests and source freshness, in DAG order.
  Result<RunResults> Build(const RunOptions& options) const;
  // Models only.
  Result<RunResults> Run(const RunOptions& options) const;
  // Data tests and source freshness.
  Result<RunResults> Test(const RunOptions& options) const;
  Result<RunResults> Seed(const RunOptions& options) const;
  Result<RunResults> Snapshot(const RunOptions& options) const;
  // Unique ids of the selected nodes (model.<project>.<name>, seed..., snapshot...,
  // test..., source.<project>.<source>.<table>) in DAG order.
  Result<std::vector<std::string>> List(const RunOptions& options) const;
  // Renders the selected models, snapshots and tests, and every analysis,
  // to compiled/ in the artifacts folder as a build would render them
  // (is_incremental() false: the full form); nothing runs. The warehouse
  // is needed for its engine's spellings only. Returns the files written,
  // relative to the artifacts folder, in DAG order, analyses last.
  Result<std::vector<std::string>> Compile(const RunOptions& options) const;
  // Writes manifest.json (nodes, descriptions, columns, edges) and lineage.dot
  // to the artifacts folder, and with a warehouse catalog.json (dbt's catalog:
  // each relation's columns, types, row count and descriptions).
  Status Docs(const RunOptions& options) const;

 private:
  enum class Command { kBuild, kRun, kTest, kSeed, kSnapshot };

  TransformProject(std::unique_ptr<ProjectFiles> files, std::unique_ptr<Manifest> manifest);
  Result<RunResults> Execute(Command command, const RunOptions& options) const;

  std::unique_ptr<ProjectFiles> files_;
  // Built with the project's own vars; commands with --vars build their own.
  std::unique_ptr<Manifest> manifest_;
};

}  // namespace silverwork::transform
