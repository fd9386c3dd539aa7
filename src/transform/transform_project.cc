#include "transform/transform_project.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <thread>

#include "common/blocking_queue.h"
#include "common/date.h"
#include "common/log.h"
#include "transform/compile/compiler.h"
#include "transform/data_tests/data_tests.h"
#include "transform/materializations/materializer.h"
#include "transform/materializations/seed.h"
#include "transform/materializations/snapshot.h"
#include "transform/project/artifacts.h"
#include "transform/project/manifest.h"
#include "transform/project/project_files.h"
#include "transform/project/selector.h"
#include "transform/runner/build_state.h"
#include "transform/runner/timed_warehouse.h"

namespace silverwork::transform {
namespace fs = std::filesystem;
namespace {

// What each command runs, indexed by TransformProject::Command.
struct CommandSpec {
  const char* name;
  bool models;
  bool seeds;
  bool snapshots;
  bool tests;  // data tests and source freshness
};
constexpr CommandSpec kCommands[] = {
    {"build", true, true, true, true},       {"run", true, false, false, false},
    {"test", false, false, false, true},     {"seed", false, true, false, false},
    {"snapshot", false, false, true, false},
};

Result<VarMap> MergeVars(const VarMap& project_vars, const std::vector<std::string>& overrides) {
  VarMap vars = project_vars;
  for (const std::string& assignment : overrides) {
    size_t equals = assignment.find('=');
    if (equals == std::string::npos || equals == 0)
      return Status(ErrorCode::kInvalidInput,
                    fmt::format("--vars '{}' is not key=value", assignment),
                    "write each var as name=value, e.g. --vars lookback_days=3");
    vars[assignment.substr(0, equals)] = TemplateValue::FromText(assignment.substr(equals + 1));
  }
  return vars;
}

// "2026-11-25T01:00:09.123456Z": sortable and unique enough for one project.
std::string RunIdFor(std::chrono::system_clock::time_point now) {
  auto seconds = std::chrono::floor<std::chrono::seconds>(now);
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(now - seconds).count();
  std::string stamp = FormatUtcTimestamp(seconds);
  if (!stamp.empty() && stamp.back() == 'Z') stamp.pop_back();
  return fmt::format("{}.{:06d}Z", stamp, micros);
}

double Seconds(std::chrono::steady_clock::duration duration) {
  return std::chrono::duration<double>(duration).count();
}

// Prefixes `path: ` unless the message already starts with it (template
// errors carry "path:line:").
std::string Located(const std::string& path, const Status& status) {
  std::string message = status.message();
  if (!message.starts_with(path)) message = path + ": " + message;
  if (!status.hint().empty()) message += " (to fix: " + status.hint() + ")";
  return message;
}

bool HasFreshness(const Node& node) {
  return node.kind == ResourceKind::kSource && node.source_table->freshness &&
         (node.source_table->freshness->warn_after || node.source_table->freshness->error_after);
}

// The project's vars with the invocation's overrides, and the manifest for
// them: the one built at load time, or (with overrides) a new one in `storage`.
struct ResolvedManifest {
  VarMap vars;
  const Manifest* manifest = nullptr;
  std::unique_ptr<Manifest> storage;
};

Result<ResolvedManifest> ResolveManifest(const ProjectFiles& files, const Manifest& loaded,
                                         const RunOptions& options) {
  ResolvedManifest resolved;
  SW_ASSIGN_OR_RETURN(resolved.vars, MergeVars(files.vars, options.vars));
  resolved.manifest = &loaded;
  if (!options.vars.empty()) {
    SW_ASSIGN_OR_RETURN(Manifest rebuilt, Manifest::Build(files, resolved.vars));
    resolved.storage = std::make_unique<Manifest>(std::move(rebuilt));
    resolved.manifest = resolved.storage.get();
  }
  return resolved;
}

fs::path ArtifactsDir(const ProjectFiles& files, const RunOptions& options) {
  return options.artifacts_dir.empty() ? files.root / "target" : options.artifacts_dir;
}

// One connection nodes run on, timed, and the materializer driving it.
struct Worker {
  // `concurrent`: other workers build at the same time.
  Worker(int number, Warehouse& connection, Clock& clock, const EngineAdapter& adapter,
         bool concurrent)
      : id(number), warehouse(connection, clock), materializer(warehouse, adapter, concurrent) {}
  int id;  // 1..threads
  TimedWarehouse warehouse;
  Materializer materializer;
};

// One build/run/test/seed/snapshot invocation over a selection.
//
// Nodes run on the workers, one node per worker at a time, each on its
// worker's connection (and thread, when there are several). The calling
// thread schedules: a node starts once everything it reads has finished,
// and, unless it is a test, once the tests on what it reads have finished,
// so a failing test still skips everything downstream. Only the calling
// thread touches the skip bookkeeping and the results; what the workers
// share (the compiler, versions, increments, build state) is locked.
class Invocation {
 public:
  // REQUIRES: at least one worker; workers.front() is the command's own connection.
  Invocation(const CommandSpec& command, const ProjectFiles& files, const Manifest& manifest,
             const VarMap& vars, const RunOptions& options, Clock& clock,
             std::span<Worker* const> workers, const EngineAdapter& adapter, fs::path artifacts_dir)
      : command_(command),
        files_(files),
        manifest_(manifest),
        options_(options),
        clock_(clock),
        workers_(workers.begin(), workers.end()),
        adapter_(adapter),
        compiler_(manifest, workers.front()->warehouse.dialect(), adapter, vars),
        artifacts_dir_(std::move(artifacts_dir)) {}

  Result<RunResults> Run(const std::vector<bool>& selected) {
    const auto started = clock_.Monotonic();
    started_ = started;
    const auto now = clock_.Now();
    RunResults results;
    results.command = command_.name;
    results.run_id = options_.run_id.empty() ? RunIdFor(now) : options_.run_id;
    results.generated_at = FormatUtcTimestamp(now);
    run_id_ = results.run_id;

    std::vector<int> to_run;
    for (int index : manifest_.order())
      if (selected[static_cast<size_t>(index)] && Includes(manifest_.node(index)))
        to_run.push_back(index);
    bool has_tests = std::any_of(to_run.begin(), to_run.end(), [&](int index) {
      const Node& node = manifest_.node(index);
      return node.kind == ResourceKind::kTest || node.kind == ResourceKind::kSource;
    });
    Worker& main = *workers_.front();
    if (has_tests) SW_RETURN_IF_ERROR(EnsureAuditTable(main.warehouse));
    if (options_.use_state && !options_.full_refresh) {
      auto state = BuildState::Load(main.warehouse);
      if (!state.ok())
        return Status(state.status().code(),
                      "cannot read the build state: " + state.status().message(),
                      "check the warehouse is writable, or run with --no-state");
      state_.emplace(std::move(state).value());
    }

    blocked_.assign(manifest_.nodes().size(), std::string());
    tests_failed_.assign(manifest_.nodes().size(), std::string());
    std::optional<Progress> progress;
    if (options_.show_progress)
      progress.emplace(fmt::format("silverwork {}", results.command),
                       static_cast<int64_t>(to_run.size()));
    std::vector<bool> runs(manifest_.nodes().size(), false);
    for (int index : to_run) runs[static_cast<size_t>(index)] = true;
    Schedule(runs, results, progress);
    if (progress) progress->Finish();
    DropIncrements(main);
    results.elapsed_seconds = Seconds(clock_.Monotonic() - started);
    for (Worker* worker : workers_)
      results.engine_seconds +=
          std::chrono::duration<double>(worker->warehouse.engine_time()).count();
    // The work is done and its results are returned either way; a missing
    // artifact is worth a loud log line, not losing the results.
    Status written =
        WriteTextFile(artifacts_dir_ / "run_results.json", ToJson(results).dump(2) + "\n");
    if (!written.ok()) spdlog::error("run_results.json not written: {}", written.ToString());
    return results;
  }

 private:
  // Runs the nodes marked in `runs` on the workers, appending their results
  // (in the manifest's order) to `results`.
  void Schedule(const std::vector<bool>& runs, RunResults& results,
                std::optional<Progress>& progress) {
    const size_t count = manifest_.nodes().size();
    // What each node waits for: its parents and, for all but tests, the
    // tests on its parents that the manifest's order puts before it (a test
    // reading a model's own readers, such as a singular test comparing a
    // mart with its facts, comes after them).
    std::vector<size_t> position(count);
    for (size_t at = 0; at < manifest_.order().size(); ++at)
      position[static_cast<size_t>(manifest_.order()[at])] = at;
    std::vector<std::vector<int>> waits(count);
    for (const Node& node : manifest_.nodes())
      waits[static_cast<size_t>(node.index)] = node.parents;
    for (const Node& test : manifest_.nodes()) {
      if (test.kind != ResourceKind::kTest || !runs[static_cast<size_t>(test.index)]) continue;
      for (int tested : test.tested)
        for (const Node& reader : manifest_.nodes())
          if (reader.kind != ResourceKind::kTest &&
              position[static_cast<size_t>(test.index)] <
                  position[static_cast<size_t>(reader.index)] &&
              std::find(reader.parents.begin(), reader.parents.end(), tested) !=
                  reader.parents.end())
            waits[static_cast<size_t>(reader.index)].push_back(test.index);
    }
    // Several workers start first what most of the graph waits for.
    std::vector<int> pending(manifest_.order().begin(), manifest_.order().end());
    if (workers_.size() > 1) {
      std::vector<size_t> below = DescendantCounts(waits);
      std::stable_sort(pending.begin(), pending.end(), [&](int a, int b) {
        return below[static_cast<size_t>(a)] > below[static_cast<size_t>(b)];
      });
    }
    std::vector<bool> done(count, false);
    std::vector<std::optional<NodeResult>> finished(count);
    std::vector<Worker*> idle(workers_.rbegin(), workers_.rend());
    WorkQueue queue(*this, workers_);
    size_t running = 0;
    auto complete = [&](int index, NodeResult result) {
      RecordFailure(manifest_.node(index), result);
      LogResult(result);
      if (progress) progress->Add();
      finished[static_cast<size_t>(index)] = std::move(result);
      done[static_cast<size_t>(index)] = true;
    };
    while (!pending.empty() || running > 0) {
      // Starts (or settles) every node whose waits are over, in priority order.
      for (bool started = true; started;) {
        started = false;
        for (auto it = pending.begin(); it != pending.end(); ++it) {
          const Node& node = manifest_.node(*it);
          const std::vector<int>& wait = waits[static_cast<size_t>(node.index)];
          if (!std::all_of(wait.begin(), wait.end(),
                           [&](int index) { return done[static_cast<size_t>(index)]; }))
            continue;
          if (!runs[static_cast<size_t>(node.index)]) {
            if (IsEphemeral(node)) PropagateThroughEphemeral(node);
            done[static_cast<size_t>(node.index)] = true;
          } else if (std::string reason = SkipReason(node); !reason.empty()) {
            complete(node.index, Skipped(node, reason));
          } else if (idle.empty()) {
            continue;
          } else {
            Worker* worker = idle.back();
            idle.pop_back();
            ++running;
            queue.Start(node.index, *worker);
          }
          pending.erase(it);
          started = true;
          break;
        }
      }
      if (running == 0) {
        // Unreachable: the waits follow the manifest's order. Never drop a node silently.
        for (int index : pending)
          if (runs[static_cast<size_t>(index)])
            complete(index, Skipped(manifest_.node(index), "skipped: what it waits for never ran"));
        break;
      }
      WorkQueue::Finished next = queue.Next();
      --running;
      idle.push_back(next.worker);
      complete(next.index, std::move(next.result));
    }
    for (int index : manifest_.order())
      if (finished[static_cast<size_t>(index)])
        results.nodes.push_back(std::move(*finished[static_cast<size_t>(index)]));
  }

  // How many nodes wait, directly or not, on each node.
  std::vector<size_t> DescendantCounts(const std::vector<std::vector<int>>& waits) const {
    const size_t count = waits.size();
    std::vector<std::vector<int>> readers(count);
    for (size_t index = 0; index < count; ++index)
      for (int wait : waits[index])
        readers[static_cast<size_t>(wait)].push_back(static_cast<int>(index));
    std::vector<size_t> below(count, 0);
    for (size_t index = 0; index < count; ++index) {
      std::vector<bool> seen(count, false);
      std::vector<int> stack = readers[index];
      while (!stack.empty()) {
        int next = stack.back();
        stack.pop_back();
        if (seen[static_cast<size_t>(next)]) continue;
        seen[static_cast<size_t>(next)] = true;
        ++below[index];
        for (int reader : readers[static_cast<size_t>(next)]) stack.push_back(reader);
      }
    }
    return below;
  }

  // Runs nodes on the workers: inline on the calling thread when there is
  // one worker, else each worker on its own thread.
  class WorkQueue {
   public:
    struct Finished {
      int index = -1;
      Worker* worker = nullptr;
      NodeResult result;
    };

    WorkQueue(Invocation& invocation, std::span<Worker* const> workers)
        : invocation_(invocation), finished_(workers.size()) {
      if (workers.size() < 2) return;
      for (Worker* worker : workers) inboxes_[worker] = std::make_unique<BlockingQueue<int>>(1);
      for (Worker* worker : workers) {
        threads_.emplace_back([this, worker] {
          while (std::optional<int> index = inboxes_.at(worker)->Pop())
            finished_.Push({*index, worker, invocation_.RunNode(*index, *worker)});
        });
      }
    }
    ~WorkQueue() {
      for (auto& [worker, inbox] : inboxes_) inbox->Close();
      for (std::thread& thread : threads_) thread.join();
    }
    WorkQueue(const WorkQueue&) = delete;
    WorkQueue& operator=(const WorkQueue&) = delete;

    // REQUIRES: `worker` is idle.
    void Start(int index, Worker& worker) {
      if (threads_.empty()) {
        finished_.Push({index, &worker, invocation_.RunNode(index, worker)});
      } else {
        inboxes_.at(&worker)->Push(index);
      }
    }

    // Waits for a started node to finish. REQUIRES: one is running.
    Finished Next() { return std::move(finished_.Pop()).value(); }

   private:
    Invocation& invocation_;
    // Set up before the threads start and only read by them.
    std::map<Worker*, std::unique_ptr<BlockingQueue<int>>> inboxes_;
    BlockingQueue<Finished> finished_;
    std::vector<std::thread> threads_;
  };

  bool Includes(const Node& node) const {
    switch (node.kind) {
      case ResourceKind::kModel:
        return command_.models && !IsEphemeral(node);
      case ResourceKind::kSeed:
        return command_.seeds;
      case ResourceKind::kSnapshot:
        return command_.snapshots;
      case ResourceKind::kTest:
        return command_.tests;
      case ResourceKind::kSource:
        return command_.tests && HasFreshness(node);
    }
    return false;
  }

  // An ephemeral model is never run, but a failure above it still blocks
  // what reads it.
  void PropagateThroughEphemeral(const Node& node) {
    std::string reason = SkipReason(node);
    if (!reason.empty()) blocked_[static_cast<size_t>(node.index)] = reason;
  }

  // Why `node` must be skipped, or "" when it may run.
  std::string SkipReason(const Node& node) const {
    if (!fail_fast_stop_.empty()) return fail_fast_stop_;
    for (int parent : node.parents) {
      const std::string& blocked = blocked_[static_cast<size_t>(parent)];
      if (!blocked.empty()) return blocked;
      const std::string& failed_test = tests_failed_[static_cast<size_t>(parent)];
      if (!failed_test.empty() && node.kind != ResourceKind::kTest) return failed_test;
    }
    return {};
  }

  NodeResult RunNode(int index, Worker& w) {
    const Node& node = manifest_.node(index);
    NodeResult result = ResultFor(node);
    result.started_seconds = Seconds(clock_.Monotonic() - started_);
    result.thread = w.id;
    switch (node.kind) {
      case ResourceKind::kModel:
        RunModel(node, result, w);
        break;
      case ResourceKind::kSeed:
        RunSeed(node, result, w);
        break;
      case ResourceKind::kSnapshot:
        RunSnapshot(node, result, w);
        break;
      case ResourceKind::kTest:
        RunTest(node, result, w);
        break;
      case ResourceKind::kSource:
        RunFreshness(node, result, w);
        break;
    }
    return result;
  }

  // A result naming `node`, before anything about how it went.
  static NodeResult ResultFor(const Node& node) {
    NodeResult result;
    result.unique_id = node.unique_id;
    result.resource_type = ResourceKindName(node.kind);
    result.path = node.path;
    return result;
  }

  NodeResult Skipped(const Node& node, const std::string& reason) {
    NodeResult result = ResultFor(node);
    result.started_seconds = Seconds(clock_.Monotonic() - started_);  // when it was skipped
    result.status = NodeStatus::kSkipped;
    result.message = reason;
    blocked_[static_cast<size_t>(node.index)] = reason;
    return result;
  }

  void RecordFailure(const Node& node, const NodeResult& result) {
    bool failed = result.status == NodeStatus::kError || result.status == NodeStatus::kFail;
    if (!failed) return;
    if (node.kind == ResourceKind::kTest) {
      if (node.config.severity == Severity::kError) {
        for (int tested : node.tested)
          tests_failed_[static_cast<size_t>(tested)] = fmt::format(
              "skipped: test {} failed on {}", node.unique_id, manifest_.node(tested).unique_id);
      }
    } else if (node.kind != ResourceKind::kSource) {
      blocked_[static_cast<size_t>(node.index)] =
          fmt::format("skipped: upstream {} failed", node.unique_id);
    }
    if (options_.fail_fast)
      fail_fast_stop_ =
          fmt::format("skipped: --fail-fast stopped the run after {} failed", node.unique_id);
  }

  // Runs `stage` and adds its duration to `seconds`.
  template <typename Stage>
  auto Timed(double& seconds, Stage&& stage) {
    auto start = clock_.Monotonic();
    auto outcome = stage();
    seconds += Seconds(clock_.Monotonic() - start);
    return outcome;
  }

  // The compiler, shared by the workers.
  Result<std::string> Compile(const Node& node, bool is_incremental) {
    std::lock_guard lock(mutex_);
    return compiler_.Compile(node, is_incremental);
  }
  // A test's SQL; with `increment`, a generic test's over just those rows.
  Result<std::string> CompileTest(const Node& node, std::string_view increment = {}) {
    std::lock_guard lock(mutex_);
    return node.generic_test ? compiler_.CompileGenericTest(node, increment)
                             : compiler_.Compile(node, false);
  }

  void Fail(const Node& node, NodeResult& result, const Status& status) {
    result.status = NodeStatus::kError;
    result.message = Located(node.path, status);
  }

  // Writes compiled SQL under compiled/ and notes its path in the result.
  void WriteCompiled(const Node& node, const std::string& sql, NodeResult& result) {
    fs::path relative = fs::path("compiled");
    if (node.kind == ResourceKind::kModel ||
        (node.kind == ResourceKind::kTest && !node.generic_test)) {
      relative /= node.path;
    } else {
      // Snapshot files may hold several snapshots; generic tests live in a
      // properties file: one file per node under the defining file's name.
      relative /= fs::path(node.path) / (node.name + ".sql");
    }
    Status status = WriteTextFile(artifacts_dir_ / relative, sql + "\n");
    if (status.ok()) {
      result.compiled_path = relative.generic_string();
    } else {
      spdlog::warn("{}", status.ToString());
    }
  }

  void RunModel(const Node& node, NodeResult& result, Worker& w) {
    auto compiled = Timed(result.compile_seconds, [&]() -> Result<std::pair<std::string, bool>> {
      bool incremental = false;
      if (node.config.materialized == Materialization::kIncremental && !options_.full_refresh) {
        SW_ASSIGN_OR_RETURN(RelationKind kind, w.materializer.KindOf(node.relation));
        incremental = kind == RelationKind::kTable;
      }
      SW_ASSIGN_OR_RETURN(std::string sql, Compile(node, incremental));
      return std::make_pair(std::move(sql), incremental);
    });
    if (!compiled.ok()) return Fail(node, result, compiled.status());
    const auto& [sql, incremental] = *compiled;
    WriteCompiled(node, sql, result);
    // What the model is built from; empty when it must be built regardless.
    std::string inputs;
    std::optional<RelationState> previous;
    if (state_) {
      auto checked = Timed(result.compile_seconds, [&]() -> Result<bool> {
        SW_ASSIGN_OR_RETURN(inputs, ModelInputs(node, incremental ? std::string() : sql, w));
        return UpToDate(node, inputs, w);
      });
      if (!checked.ok()) return Fail(node, result, checked.status());
      if (*checked) return MarkUpToDate(node, result);
      previous = state_->Relation(node.relation);
      if (Status forgotten = state_->Forget(w.warehouse, node.relation); !forgotten.ok())
        return Fail(node, result, forgotten);
    }
    auto built = Timed(result.execute_seconds, [&]() -> Result<BuildOutcome> {
      TableIndexes indexes{.indexes = node.config.indexes};
      switch (node.config.materialized) {
        case Materialization::kView:
          return w.materializer.BuildView(node.relation, sql);
        case Materialization::kIncremental:
          indexes.unique_key = node.config.unique_key;
          if (incremental)
            return w.materializer.MergeIncrement(node.relation, sql, indexes,
                                                 /*keep_increment=*/state_.has_value());
          [[fallthrough]];
        case Materialization::kTable:
          return w.materializer.BuildTable(node.relation, sql, indexes);
        case Materialization::kEphemeral:
          break;
      }
      return BuildOutcome{std::nullopt, "ephemeral: inlined where referenced"};
    });
    Finish(node, result, built);
    if (built.ok() && state_) RecordBuilt(node, inputs, previous, *built, result, w);
  }

  // The fingerprint of everything a model's rows depend on: its SQL as a
  // full build compiles it (`full_sql`, compiled here when empty), its
  // config, and the versions of what it reads. Empty for SQL that reads the
  // clock or a random source.
  Result<std::string> ModelInputs(const Node& node, std::string full_sql, Worker& w) {
    if (full_sql.empty()) {
      SW_ASSIGN_OR_RETURN(full_sql, Compile(node, false));
    }
    if (IsNonDeterministic(full_sql)) return std::string();
    nlohmann::json config = {{"materialized", MaterializationName(node.config.materialized)},
                             {"unique_key", node.config.unique_key},
                             {"indexes", node.config.indexes}};
    return Fingerprint({config.dump(), full_sql, ParentVersions(node, w)});
  }

  // Whether the model's relation is there, of the right kind, built from
  // exactly `inputs`.
  Result<bool> UpToDate(const Node& node, const std::string& inputs, Worker& w) {
    if (inputs.empty()) return false;
    std::optional<RelationState> known = state_->Relation(node.relation);
    if (!known || known->inputs != inputs) return false;
    SW_ASSIGN_OR_RETURN(RelationKind kind, w.materializer.KindOf(node.relation));
    bool view =
        node.kind == ResourceKind::kModel && node.config.materialized == Materialization::kView;
    return kind == (view ? RelationKind::kView : RelationKind::kTable);
  }

  void MarkUpToDate(const Node& node, NodeResult& result) {
    std::optional<RelationState> known = state_->Relation(node.relation);
    result.status = NodeStatus::kSuccess;
    result.up_to_date = true;
    result.message = fmt::format("up to date: nothing it reads changed since run {}",
                                 known ? known->run_id : std::string("?"));
  }

  // Records the new state of a relation just built: a new version, unless
  // an incremental merge changed no row; for a merge, what it merged onto,
  // and its increment kept for the tests that follow.
  void RecordBuilt(const Node& node, const std::string& inputs,
                   const std::optional<RelationState>& previous, const BuildOutcome& built,
                   NodeResult& result, Worker& w) {
    RelationState state{.version = NewVersion(node), .inputs = inputs, .run_id = run_id_};
    if (built.merge) {
      const MergeInfo& merge = *built.merge;
      bool unchanged = merge.inserted == 0 && merge.replaced == 0 && !merge.columns_added;
      if (unchanged && previous) {
        state.version = previous->version;
        state.merged = previous->merged;
        state.base_version = previous->base_version;
        state.merge_key = previous->merge_key;
      } else if (!merge.columns_added) {
        state.merged = true;
        state.base_version = previous ? previous->version : std::string();
        state.merge_key = node.config.unique_key;
      }
      if (!merge.increment.empty()) {
        if (state.merged && !unchanged) {
          std::lock_guard lock(mutex_);
          increments_[node.index] = {merge.increment, merge.inserted};
        } else {
          (void)w.materializer.DropTableIfExists(merge.increment);
        }
      }
    }
    Status recorded = state_->Record(w.warehouse, node.relation, std::move(state));
    if (!recorded.ok()) {
      result.status = NodeStatus::kError;
      result.message += "; recording it in " + std::string(kRelationStateTable) +
                        " failed: " + recorded.message();
    }
  }

  // A token no other build of any relation has had.
  std::string NewVersion(const Node& node) {
    std::lock_guard lock(mutex_);
    return Fingerprint({run_id_, node.unique_id, std::to_string(random_())});
  }

  // unique_id=version of each node `node` reads, one per line.
  std::string ParentVersions(const Node& node, Worker& w) {
    std::string lines;
    for (int parent : node.parents)
      lines += manifest_.node(parent).unique_id + "=" + Version(parent, w) + "\n";
    return lines;
  }

  // The version of a node's rows as of now (see build_state.h); empty when
  // unknown (never built, or its state lost), which matches nothing.
  std::string Version(int index, Worker& w) {
    const Node& node = manifest_.node(index);
    bool derived = node.kind == ResourceKind::kSource ||
                   (node.kind == ResourceKind::kModel &&
                    (node.config.materialized == Materialization::kView || IsEphemeral(node)));
    if (!derived) {
      std::optional<RelationState> known = state_ ? state_->Relation(node.relation) : std::nullopt;
      return known ? known->version : std::string();
    }
    // Sources and views are asked for only once everything above them has
    // run, so their version is fixed for the rest of the run.
    std::lock_guard lock(mutex_);
    if (auto cached = versions_.find(index); cached != versions_.end()) return cached->second;
    std::string version;
    if (node.kind == ResourceKind::kSource) {
      version = SourceVersion(node, w);
    } else {
      auto sql = Compile(node, false);
      version = !sql.ok() || IsNonDeterministic(*sql)
                    ? NewVersion(node)
                    : Fingerprint({node.unique_id, *sql, ParentVersions(node, w)});
    }
    versions_[index] = version;
    return version;
  }

  // A source's rows as of now: their count and newest loaded_at value. A
  // source without a loaded_at_field gets a new version on every run.
  std::string SourceVersion(const Node& node, Worker& w) {
    const std::string& loaded_at = node.source_table->loaded_at_field;
    if (loaded_at.empty()) return NewVersion(node);
    std::string version;
    Status status = w.warehouse.Query(
        fmt::format("SELECT count(*), max({}) FROM {}", loaded_at, compiler_.RelationSql(node)), {},
        [&](const Row& row) {
          version = fmt::format("{}|{}", ValueToString(row.at(0)), ValueToString(row.at(1)));
          return Status::Ok();
        });
    return status.ok() && !version.empty() ? version : NewVersion(node);
  }

  void DropIncrements(Worker& w) {
    for (const auto& [index, increment] : increments_)
      (void)w.materializer.DropTableIfExists(increment.table);
    increments_.clear();
  }

  void Finish(const Node& node, NodeResult& result, const Result<BuildOutcome>& built) {
    if (!built.ok()) return Fail(node, result, built.status());
    result.status = NodeStatus::kSuccess;
    result.rows_affected = built->rows_affected;
    result.message = built->message;
  }

  void RunSeed(const Node& node, NodeResult& result, Worker& w) {
    std::string inputs;
    auto typed = Timed(result.compile_seconds, [&]() -> Result<TypedSeed> {
      std::ifstream in(files_.root / node.path, std::ios::binary);
      if (!in) return Status(ErrorCode::kIO, "cannot read the seed file");
      std::ostringstream text;
      text << in.rdbuf();
      if (state_) {
        nlohmann::json types = nlohmann::json::object();
        for (const auto& [column, type] : node.config.column_types)
          types[column] = static_cast<int>(type);
        inputs = Fingerprint({text.str(), types.dump()});
      }
      SW_ASSIGN_OR_RETURN(CsvTable table, ParseCsv(text.str(), node.path));
      return TypeSeed(table, node.config.column_types, node.path);
    });
    if (!typed.ok()) return Fail(node, result, typed.status());
    if (state_) {
      auto up_to_date = UpToDate(node, inputs, w);
      if (!up_to_date.ok()) return Fail(node, result, up_to_date.status());
      if (*up_to_date) return MarkUpToDate(node, result);
      if (Status forgotten = state_->Forget(w.warehouse, node.relation); !forgotten.ok())
        return Fail(node, result, forgotten);
    }
    auto loaded = Timed(result.execute_seconds, [&] {
      return w.materializer.LoadTable(node.relation, typed->columns, typed->rows);
    });
    Finish(node, result, loaded);
    if (loaded.ok() && state_) RecordBuilt(node, inputs, std::nullopt, *loaded, result, w);
  }

  void RunSnapshot(const Node& node, NodeResult& result, Worker& w) {
    // is_incremental() lets a snapshot stage only the source rows that can
    // have changed since its last run.
    auto sql = Timed(result.compile_seconds, [&]() -> Result<std::string> {
      bool incremental = false;
      if (!options_.full_refresh) {
        SW_ASSIGN_OR_RETURN(RelationKind kind, w.materializer.KindOf(node.relation));
        incremental = kind == RelationKind::kTable;
      }
      return Compile(node, incremental);
    });
    if (!sql.ok()) return Fail(node, result, sql.status());
    WriteCompiled(node, *sql, result);
    // A snapshot stamps rows with the clock, so it always runs; its rows get
    // a new version each time.
    if (state_) {
      if (Status forgotten = state_->Forget(w.warehouse, node.relation); !forgotten.ok())
        return Fail(node, result, forgotten);
    }
    auto built = Timed(result.execute_seconds, [&] {
      return BuildSnapshot(w.warehouse, adapter_, node.relation, *sql, node.config,
                           FormatUtcTimestamp(clock_.Now()));
    });
    Finish(node, result, built);
    if (built.ok() && state_) RecordBuilt(node, std::string(), std::nullopt, *built, result, w);
  }

  void RunTest(const Node& node, NodeResult& result, Worker& w) {
    auto sql = Timed(result.compile_seconds, [&] { return CompileTest(node); });
    if (!sql.ok()) return Fail(node, result, sql.status());
    WriteCompiled(node, *sql, result);
    std::string run_sql = *sql;
    std::string scope;  // how much of the data the test looked at, when not all
    TestState now{.sql_hash = Fingerprint({*sql}), .run_id = run_id_};
    if (state_) {
      for (int parent : node.parents)
        now.inputs[manifest_.node(parent).unique_id] = Version(parent, w);
      std::optional<TestState> last = state_->Test(node.unique_id);
      if (last && last->sql_hash == now.sql_hash) {
        if (last->inputs == now.inputs) return ReusePass(node, *last, result, w);
        if (std::optional<Increment> increment = IncrementToTest(node, *last, now)) {
          auto narrowed = Timed(result.compile_seconds, [&] {
            return CompileTest(node, w.warehouse.dialect().QuoteIdentifier(increment->table));
          });
          if (!narrowed.ok()) return Fail(node, result, narrowed.status());
          run_sql = *narrowed;
          scope = fmt::format(
              " (looked at the {} row{} merged into {} this run; the rest passed in run {})",
              increment->rows, increment->rows == 1 ? "" : "s",
              manifest_.node(node.tested.front()).name, last->run_id);
        }
      }
    }
    std::string index;  // a unique index that already guarantees the test
    if (scope.empty()) {
      auto found = Timed(result.execute_seconds, [&] { return UniqueIndexFor(node, w); });
      if (!found.ok()) return Fail(node, result, found.status());
      index = *found;
    }
    auto outcome = Timed(result.execute_seconds, [&]() -> Result<TestOutcome> {
      if (!index.empty())
        return TestOutcome{.message = fmt::format("passed: unique index {} on {} guarantees it",
                                                  index, node.generic_test->column)};
      return RunDataTest(w.warehouse, run_sql, node.config.severity);
    });
    TestOutcome recorded;
    if (outcome.ok()) {
      recorded = *outcome;
      result.status = outcome->status;
      result.message = outcome->message + scope;
      result.rows_affected = outcome->failures;
    } else {
      Fail(node, result, outcome.status());
      recorded.status = NodeStatus::kError;
      recorded.message = result.message;
    }
    Audit(node, recorded, result, w);
    if (state_) RecordTestState(node, result, std::move(now), w);
  }

  // For a `unique` test without a `where` filter on a table (or source)
  // column that a unique index of the engine covers on its own: the index's
  // name. NULLs are not compared by either. Empty otherwise.
  Result<std::string> UniqueIndexFor(const Node& node, Worker& w) {
    if (!node.generic_test || node.generic_test->kind != "unique" || !node.config.where.empty() ||
        node.tested.size() != 1)
      return std::string();
    const Node& tested = manifest_.node(node.tested.front());
    if (!tested.schema.empty() || IsEphemeral(tested)) return std::string();
    SW_ASSIGN_OR_RETURN(RelationKind kind, w.materializer.KindOf(tested.relation));
    if (kind != RelationKind::kTable) return std::string();
    std::map<std::string, std::vector<std::string>> columns_by_index;
    const Value params[] = {tested.relation};
    SW_RETURN_IF_ERROR(
        w.warehouse.Query(adapter_.unique_index_columns_sql(), params, [&](const Row& row) {
          columns_by_index[ValueToString(row.at(0))].push_back(ValueToString(row.at(1)));
          return Status::Ok();
        }));
    const std::vector<std::string> column = {node.generic_test->column};
    for (const auto& [index, columns] : columns_by_index)
      if (SameColumns(columns, column)) return index;
    return std::string();
  }

  // A test whose SQL and inputs are what they were when it last passed.
  void ReusePass(const Node& node, const TestState& last, NodeResult& result, Worker& w) {
    result.status = NodeStatus::kPass;
    result.up_to_date = true;
    result.rows_affected = 0;
    result.message =
        fmt::format("pass: nothing it reads changed since it passed in run {}", last.run_id);
    TestOutcome outcome;
    outcome.message = result.message;
    Audit(node, outcome, result, w);
  }

  // Remembers a pass on fully known inputs; forgets anything else, so the
  // next run tests every row again.
  void RecordTestState(const Node& node, NodeResult& result, TestState now, Worker& w) {
    bool known = std::none_of(now.inputs.begin(), now.inputs.end(),
                              [](const auto& input) { return input.second.empty(); });
    Status status = result.status == NodeStatus::kPass && known
                        ? state_->RecordTest(w.warehouse, node.unique_id, std::move(now))
                        : state_->ForgetTest(w.warehouse, node.unique_id);
    if (!status.ok()) {
      result.status = NodeStatus::kError;
      result.message +=
          "; recording it in " + std::string(kTestStateTable) + " failed: " + status.message();
    }
  }

  // The increment a generic test may look at instead of the whole model:
  // the tested model was merged in this run onto exactly the version the
  // test last passed on, so every failing row now must involve a merged row,
  // and everything else the test reads is as it was then. A relationships
  // test also accepts a parent merged once on its `field` (a delete+insert
  // on the key never loses a key value). None when the test must run in full.
  struct Increment {
    std::string table;
    int64_t rows = 0;
  };
  std::optional<Increment> IncrementToTest(const Node& node, const TestState& last,
                                           const TestState& now) {
    if (!node.generic_test || node.tested.size() != 1) return std::nullopt;
    const GenericTest& test = *node.generic_test;
    int tested = node.tested.front();
    std::lock_guard lock(mutex_);
    auto increment = increments_.find(tested);
    if (increment == increments_.end()) return std::nullopt;
    auto last_version = [&](int index) {
      auto found = last.inputs.find(manifest_.node(index).unique_id);
      return found == last.inputs.end() ? std::string() : found->second;
    };
    auto merged_once_on = [&](int index, std::span<const std::string> key) {
      std::optional<RelationState> state = state_->Relation(manifest_.node(index).relation);
      return state && state->merged && !state->base_version.empty() &&
             state->base_version == last_version(index) &&
             (key.empty() || SameColumns(state->merge_key, key));
    };
    const std::vector<std::string> field = {test.field};
    bool self_reference = test.kind == "relationships" && test.to_node == tested;
    if (!merged_once_on(tested, self_reference ? std::span<const std::string>(field)
                                               : std::span<const std::string>()))
      return std::nullopt;
    for (int parent : node.parents) {
      if (parent == tested) continue;
      const std::string& id = manifest_.node(parent).unique_id;
      auto current = now.inputs.find(id);
      if (current != now.inputs.end() && !current->second.empty() &&
          current->second == last_version(parent))
        continue;
      if (test.kind == "relationships" && parent == test.to_node && merged_once_on(parent, field))
        continue;
      return std::nullopt;
    }
    return increment->second;
  }

  static bool SameColumns(std::span<const std::string> a, std::span<const std::string> b) {
    return std::equal(
        a.begin(), a.end(), b.begin(), b.end(),
        [](const std::string& x, const std::string& y) { return SameColumnName(x, y); });
  }

  void RunFreshness(const Node& node, NodeResult& result, Worker& w) {
    auto outcome = Timed(result.execute_seconds, [&] {
      return CheckFreshness(w.warehouse, compiler_.RelationSql(node),
                            node.source_table->loaded_at_field, *node.source_table->freshness,
                            clock_.Now());
    });
    TestOutcome recorded;
    if (outcome.ok()) {
      recorded = *outcome;
      result.status = outcome->status;
      result.message = outcome->message;
    } else {
      Fail(node, result, outcome.status());
      recorded.status = NodeStatus::kError;
    }
    Audit(node, recorded, result, w);
  }

  void Audit(const Node& node, const TestOutcome& outcome, NodeResult& result, Worker& w) {
    Status status = RecordTestOutcome(w.warehouse, run_id_, node.unique_id, outcome,
                                      FormatUtcTimestamp(clock_.Now()));
    if (!status.ok()) {
      result.status = NodeStatus::kError;
      result.message +=
          "; recording it in " + std::string(kAuditTable) + " failed: " + status.message();
    }
  }

  static void LogResult(const NodeResult& result) {
    if (result.status == NodeStatus::kError || result.status == NodeStatus::kFail) {
      spdlog::info("{} {}: {}", NodeStatusName(result.status), result.unique_id, result.message);
    } else {
      spdlog::debug("{} {}: {}", NodeStatusName(result.status), result.unique_id, result.message);
    }
  }

  const CommandSpec& command_;
  const ProjectFiles& files_;
  const Manifest& manifest_;
  const RunOptions& options_;
  Clock& clock_;
  std::vector<Worker*> workers_;
  const EngineAdapter& adapter_;
  // Guards the compiler, versions_, increments_ and random_, which workers
  // share; never held while the engine writes.
  std::recursive_mutex mutex_;
  Compiler compiler_;
  fs::path artifacts_dir_;
  std::string run_id_;
  std::chrono::steady_clock::time_point started_;
  // Per node: why its readers are skipped (it failed or was skipped) ...
  std::vector<std::string> blocked_;
  // ... and why its non-test readers are skipped (an error-severity test on it failed).
  std::vector<std::string> tests_failed_;
  std::string fail_fast_stop_;
  // What earlier runs built and tested; empty with use_state off.
  std::optional<BuildState> state_;
  // Versions of sources, views and ephemeral models, fixed once asked for.
  std::map<int, std::string> versions_;
  // Incremental models merged in this run -> the table of their merged rows,
  // dropped when the run ends.
  std::map<int, Increment> increments_;
  std::mt19937_64 random_{std::random_device{}()};
};

}  // namespace

TransformProject::TransformProject(std::unique_ptr<ProjectFiles> files,
                                   std::unique_ptr<Manifest> manifest)
    : files_(std::move(files)), manifest_(std::move(manifest)) {}
TransformProject::TransformProject(TransformProject&&) noexcept = default;
TransformProject& TransformProject::operator=(TransformProject&&) noexcept = default;
TransformProject::~TransformProject() = default;

Result<TransformProject> TransformProject::Load(const fs::path& project_dir) {
  SW_ASSIGN_OR_RETURN(ProjectFiles files, LoadProjectFiles(project_dir));
  auto owned_files = std::make_unique<ProjectFiles>(std::move(files));
  SW_ASSIGN_OR_RETURN(Manifest manifest, Manifest::Build(*owned_files, owned_files->vars));
  return TransformProject(std::move(owned_files), std::make_unique<Manifest>(std::move(manifest)));
}

const std::string& TransformProject::name() const { return files_->name; }
const fs::path& TransformProject::root() const { return files_->root; }

Result<RunResults> TransformProject::Build(const RunOptions& options) const {
  return Execute(Command::kBuild, options);
}
Result<RunResults> TransformProject::Run(const RunOptions& options) const {
  return Execute(Command::kRun, options);
}
Result<RunResults> TransformProject::Test(const RunOptions& options) const {
  return Execute(Command::kTest, options);
}
Result<RunResults> TransformProject::Seed(const RunOptions& options) const {
  return Execute(Command::kSeed, options);
}
Result<RunResults> TransformProject::Snapshot(const RunOptions& options) const {
  return Execute(Command::kSnapshot, options);
}

Result<RunResults> TransformProject::Execute(Command command, const RunOptions& options) const {
  if (!options.warehouse)
    return Status(ErrorCode::kInvalidInput, "no warehouse given to run the project in",
                  "set RunOptions::warehouse");
  SW_ASSIGN_OR_RETURN(ResolvedManifest resolved, ResolveManifest(*files_, *manifest_, options));
  SW_ASSIGN_OR_RETURN(std::vector<bool> selected,
                      SelectNodes(*resolved.manifest, options.select, options.exclude));
  SW_ASSIGN_OR_RETURN(const EngineAdapter* adapter,
                      EngineAdapter::ForEngine(options.warehouse->engine()));
  Clock& clock = options.clock ? *options.clock : DefaultClock();
  // Bulk-building settings (page cache, temporary storage) for this command,
  // the connection's own put back when it ends.
  TunedSession tuned(*options.warehouse, *adapter);
  // Checkpoints off the critical path: a full build commits gigabytes.
  std::unique_ptr<BackgroundWork> checkpoints = options.warehouse->CheckpointInBackground();
  // More connections for the other workers, tuned the same way; fewer
  // workers when the engine cannot share the warehouse.
  std::vector<std::unique_ptr<Warehouse>> peers;
  for (int added = 1; added < options.threads; ++added) {
    auto peer = options.warehouse->OpenPeer();
    if (!peer.ok()) {
      spdlog::debug("building on {} connection(s): {}", peers.size() + 1, peer.status().ToString());
      break;
    }
    peers.push_back(std::move(peer).value());
  }
  std::vector<std::unique_ptr<TunedSession>> peer_sessions;
  for (const auto& peer : peers)
    peer_sessions.push_back(std::make_unique<TunedSession>(*peer, *adapter));
  const bool concurrent = !peers.empty();
  std::vector<std::unique_ptr<Worker>> workers;
  workers.push_back(std::make_unique<Worker>(1, *options.warehouse, clock, *adapter, concurrent));
  for (const auto& peer : peers)
    workers.push_back(std::make_unique<Worker>(static_cast<int>(workers.size()) + 1, *peer, clock,
                                               *adapter, concurrent));
  std::vector<Worker*> worker_list;
  for (const auto& worker : workers) worker_list.push_back(worker.get());
  Invocation invocation(kCommands[static_cast<size_t>(command)], *files_, *resolved.manifest,
                        resolved.vars, options, clock, worker_list, *adapter,
                        ArtifactsDir(*files_, options));
  return invocation.Run(selected);
}

Result<std::vector<std::string>> TransformProject::List(const RunOptions& options) const {
  SW_ASSIGN_OR_RETURN(ResolvedManifest resolved, ResolveManifest(*files_, *manifest_, options));
  const Manifest& manifest = *resolved.manifest;
  SW_ASSIGN_OR_RETURN(std::vector<bool> selected,
                      SelectNodes(manifest, options.select, options.exclude));
  std::vector<std::string> ids;
  for (int index : manifest.order())
    if (selected[static_cast<size_t>(index)]) ids.push_back(manifest.node(index).unique_id);
  return ids;
}

Status TransformProject::Docs(const RunOptions& options) const {
  SW_ASSIGN_OR_RETURN(ResolvedManifest resolved, ResolveManifest(*files_, *manifest_, options));
  const Manifest& manifest = *resolved.manifest;
  Catalog catalog;
  if (options.warehouse) {
    for (const Node& node : manifest.nodes()) {
      if (node.kind == ResourceKind::kTest || IsEphemeral(node) || !node.schema.empty()) continue;
      SW_ASSIGN_OR_RETURN(bool exists, options.warehouse->TableExists(node.relation));
      if (!exists) continue;
      SW_ASSIGN_OR_RETURN(catalog[node.unique_id], options.warehouse->DescribeTable(node.relation));
    }
  }
  Clock& clock = options.clock ? *options.clock : DefaultClock();
  const fs::path artifacts = ArtifactsDir(*files_, options);
  SW_RETURN_IF_ERROR(WriteTextFile(
      artifacts / "manifest.json",
      ManifestJson(manifest, catalog, FormatUtcTimestamp(clock.Now())).dump(2) + "\n"));
  return WriteTextFile(artifacts / "lineage.dot", LineageDot(manifest));
}

}  // namespace silverwork::transform
