#include "transform/runner/invocation.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>

#include "common/log.h"
#include "transform/data_tests/data_tests.h"
#include "transform/project/artifacts.h"
#include "transform/runner/catalog_store.h"
#include "transform/runner/change_tracker.h"
#include "transform/runner/node_runners.h"
#include "transform/runner/scheduler.h"

namespace silverwork::transform {
namespace {

bool HasFreshness(const Node& node) {
  return node.kind == ResourceKind::kSource && node.source_table->freshness &&
         (node.source_table->freshness->warn_after || node.source_table->freshness->error_after);
}

void LogResult(const NodeResult& result) {
  if (result.status == NodeStatus::kError || result.status == NodeStatus::kFail) {
    spdlog::info("{} {}: {}", NodeStatusName(result.status), result.unique_id, result.message);
  } else {
    spdlog::debug("{} {}: {}", NodeStatusName(result.status), result.unique_id, result.message);
  }
}

// Whether a node of the run built a relation (one left up to date changed
// nothing): readers of the marts reload then (Warehouse::BuildGeneration).
bool BuiltSomething(const RunResults& results) {
  return std::any_of(results.nodes.begin(), results.nodes.end(), [](const NodeResult& node) {
    return node.status == NodeStatus::kSuccess && !node.up_to_date;
  });
}

// The row counts the catalog keeps without counting: the stored ones whose
// rows are at the version they were counted at, and those this run learnt
// (ChangeTracker::LearntRows): sources' from the read that versioned them,
// built tables' from their builds, merges' and snapshots' as the stored
// count of the version they added rows onto plus the rows added. Fills
// `versions` with every version known now. Without the build state
// (--no-state, --full-refresh) nothing is known: everything is counted, and
// stored without versions.
RowCounts KnownRowCounts(RunContext& context, Worker& worker,
                         std::map<std::string, std::string>& versions) {
  RowCounts known;
  ChangeTracker* changes = context.changes();
  if (changes == nullptr) return known;
  std::map<std::string, StoredRowCount> stored = ReadStoredRowCounts(worker.warehouse);
  for (const Node& node : context.manifest().nodes()) {
    if (!IsCatalogRelation(node)) continue;
    std::string version = changes->RowsVersion(node, worker);
    if (version.empty()) continue;
    if (auto previous = stored.find(node.unique_id);
        previous != stored.end() && previous->second.version == version) {
      known[node.unique_id] = previous->second.rows;
    } else if (std::optional<LearntRowCount> learnt = changes->LearntRows(node)) {
      if (learnt->rows) {
        known[node.unique_id] = *learnt->rows;
      } else if (previous != stored.end() && previous->second.version == learnt->base_version) {
        known[node.unique_id] = previous->second.rows + learnt->added;
      }
    }
    versions[node.unique_id] = std::move(version);
  }
  return known;
}

// Stores the data catalog and advances the build generation in one
// transaction (catalog_store.h); when the catalog cannot be read, advances
// the generation alone, so serve still reloads the marts.
Status StoreCatalog(RunContext& context, Worker& worker) {
  Warehouse& warehouse = worker.warehouse;
  std::map<std::string, std::string> versions;
  RowCounts known = KnownRowCounts(context, worker, versions);
  Result<WarehouseCatalog> catalog = ReadWarehouseCatalog(context.manifest(), warehouse, known);
  if (catalog.ok()) {
    catalog->count_versions = std::move(versions);
    auto compile = [&context](const Node& node) {
      return node.generic_test ? context.CompileTest(node) : context.Compile(node, false);
    };
    return StoreCatalogDocument(warehouse,
                                CatalogDocument(context.files(), context.manifest(), *catalog,
                                                compile, context.started_at()),
                                context.started_at());
  }
  spdlog::error("data catalog not stored: {}", catalog.status().ToString());
  return warehouse.AdvanceBuildGeneration();
}

}  // namespace

bool CommandSpec::Includes(const Node& node) const {
  switch (node.kind) {
    case ResourceKind::kModel:
      return models && !IsEphemeral(node);
    case ResourceKind::kSeed:
      return seeds;
    case ResourceKind::kSnapshot:
      return snapshots;
    case ResourceKind::kTest:
      return tests;
    case ResourceKind::kSource:
      return tests && HasFreshness(node);
  }
  return false;
}

Invocation::Invocation(const CommandSpec& command, const ProjectFiles& files,
                       const Manifest& manifest, const VarMap& vars, const RunOptions& options,
                       Clock& clock, std::span<Worker* const> workers,
                       std::filesystem::path artifacts_dir)
    : command_(command),
      manifest_(manifest),
      options_(options),
      workers_(workers.begin(), workers.end()),
      context_(files, manifest, vars, options, clock, workers.front()->warehouse.traits(),
               std::move(artifacts_dir)) {}

Result<RunResults> Invocation::Run(const std::vector<bool>& selected) {
  RunResults results;
  results.command = command_.name;
  results.run_id = context_.run_id();
  results.generated_at = context_.started_at();
  std::vector<bool> runs(manifest_.nodes().size(), false);
  int64_t count = 0;
  for (int index : manifest_.order()) {
    if (selected[static_cast<size_t>(index)] && command_.Includes(manifest_.node(index))) {
      runs[static_cast<size_t>(index)] = true;
      ++count;
    }
  }
  SW_RETURN_IF_ERROR(PrepareWarehouse(runs));
  std::optional<Progress> progress;
  if (options_.show_progress)
    progress.emplace(fmt::format("silverwork {}", results.command), count);
  Scheduler scheduler(manifest_, workers_, options_.fail_fast,
                      [this] { return context_.SecondsSinceStart(); });
  results.nodes = scheduler.Run(
      runs, [this](int index, Worker& worker) { return RunNode(context_, index, worker); },
      [&progress](const NodeResult& result) {
        LogResult(result);
        if (progress) progress->Add();
      });
  if (progress) progress->Finish();
  Finish(results);
  return results;
}

Status Invocation::PrepareWarehouse(const std::vector<bool>& runs) {
  Worker& main = *workers_.front();
  bool has_tests = false;
  for (const Node& node : manifest_.nodes())
    if (runs[static_cast<size_t>(node.index)] &&
        (node.kind == ResourceKind::kTest || node.kind == ResourceKind::kSource))
      has_tests = true;
  if (has_tests) SW_RETURN_IF_ERROR(EnsureAuditTable(main.warehouse));
  if (options_.use_state && !options_.full_refresh) {
    auto state = BuildState::Load(main.warehouse);
    if (!state.ok())
      return Status(state.status().code(),
                    "cannot read the build state: " + state.status().message(),
                    "check the warehouse is writable, or run with --no-state");
    context_.UseBuildState(std::move(state).value());
  }
  return Status::Ok();
}

void Invocation::Finish(RunResults& results) {
  if (ChangeTracker* changes = context_.changes()) changes->DropIncrements(*workers_.front());
  if (BuiltSomething(results)) {
    // The build happened either way; readers keep the previous snapshot
    // until the next build, which is worth a loud log line.
    Status advanced = StoreCatalog(context_, *workers_.front());
    if (!advanced.ok())
      spdlog::error("{}; serve reloads after the next build", advanced.ToString());
  }
  results.elapsed_seconds = context_.SecondsSinceStart();
  for (Worker* worker : workers_)
    results.engine_seconds +=
        std::chrono::duration<double>(worker->warehouse.engine_time()).count();
  // The work is done and its results are returned either way; a missing
  // artifact is worth a loud log line, not losing the results.
  Status written =
      WriteTextFile(context_.artifacts_dir() / "run_results.json", ToJson(results).dump(2) + "\n");
  if (!written.ok()) spdlog::error("run_results.json not written: {}", written.ToString());
}

}  // namespace silverwork::transform
