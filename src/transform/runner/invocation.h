// Invocation: one build, run, test, seed or snapshot command over a
// selection — which nodes it runs, the warehouse prepared for them (audit
// table, build state), the nodes scheduled on the workers, progress shown,
// and run_results.json written.
//
// Its parts: RunContext (what the nodes share), Scheduler (order, threads,
// skips), node_runners.h (how each kind of node runs) and ChangeTracker
// (what the build state lets a node leave alone).
//
// One invocation runs once, from one thread. Not thread-safe.
#pragma once

#include <filesystem>
#include <span>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "transform/project/manifest.h"
#include "transform/project/project_files.h"
#include "transform/run_options.h"
#include "transform/run_results.h"
#include "transform/runner/run_context.h"
#include "transform/runner/workers.h"

namespace silverwork::transform {

// What one command runs.
struct CommandSpec {
  const char* name;
  bool models;
  bool seeds;
  bool snapshots;
  bool tests;  // data tests and source freshness

  // Whether the command runs `node` when it is selected.
  bool Includes(const Node& node) const;
};

class Invocation {
 public:
  // REQUIRES: the arguments outlive the invocation; at least one worker,
  // workers.front() on the command's own connection.
  Invocation(const CommandSpec& command, const ProjectFiles& files, const Manifest& manifest,
             const VarMap& vars, const RunOptions& options, Clock& clock,
             std::span<Worker* const> workers, std::filesystem::path artifacts_dir);

  // Runs the command on the nodes marked in `selected` (one per manifest node).
  Result<RunResults> Run(const std::vector<bool>& selected);

 private:
  // The audit table when tests run, and the build state when it is used.
  Status PrepareWarehouse(const std::vector<bool>& runs);
  // Adds up the workers' engine time and writes run_results.json.
  void Finish(RunResults& results);

  const CommandSpec& command_;
  const Manifest& manifest_;
  const RunOptions& options_;
  std::vector<Worker*> workers_;
  RunContext context_;
};

}  // namespace silverwork::transform
