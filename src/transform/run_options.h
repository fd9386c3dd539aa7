// RunOptions: how one command of the model runner runs (selection, vars,
// state, the warehouse, artifacts, threads). See transform_project.h.
// A plain value; thread-compatible.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "common/clock.h"
#include "warehouse/warehouse.h"

namespace silverwork::transform {

struct RunOptions {
  // Node selectors (--select) and exclusions (--exclude); see selector.h.
  // Each entry may hold several space-separated selectors. Empty select = all.
  std::vector<std::string> select;
  std::vector<std::string> exclude;
  // Rebuild incremental models from scratch (and, like use_state = false,
  // run every selected node in full).
  bool full_refresh = false;
  // Use what earlier runs recorded (build_state.h): a model or seed whose
  // SQL, config and inputs are unchanged since its last build is left as it
  // was, a test whose inputs are unchanged since it last passed is not run
  // again, and a test on an incremental model merged in this run looks only
  // at the merged rows when the model passed before the merge. false runs
  // and tests everything in full.
  bool use_state = true;
  // "key=value" overrides of the project's vars; values are typed like YAML
  // scalars (3 -> integer, true -> boolean, 007 stays text).
  std::vector<std::string> vars;
  // The warehouse to build in. REQUIRED for every command except List and
  // Docs (Docs adds the warehouse's column types when given one).
  Warehouse* warehouse = nullptr;
  // Where compiled SQL, run_results.json and docs go; empty = <project>/target.
  std::filesystem::path artifacts_dir;
  // Stop at the first failure; the remaining nodes are reported as skipped.
  bool fail_fast = false;
  // Time source for freshness, snapshot timestamps, audit rows and timing;
  // null = the system clock.
  Clock* clock = nullptr;
  // Identifies this invocation in the test audit table; empty = derived from the clock.
  std::string run_id;
  // Draw a progress bar on an interactive terminal (log lines otherwise).
  bool show_progress = true;
  // Nodes run at once, each on its own connection (Warehouse::OpenPeer);
  // 1 runs them one after another on `warehouse` alone. A node starts once
  // what it reads, and the tests on that, have finished. On an engine with
  // one writer at a time (EngineTraits::stages_selects; SQLite), each
  // worker computes a table's rows into a private table first and holds the
  // write lock only to copy them in.
  int threads = 1;
};

}  // namespace silverwork::transform
