// RunContext: what the nodes of one invocation share while they run on the
// workers — the project and its manifest for the invocation's vars, the
// options, the clock, the run's id and start, the compiler, the artifacts
// folder and, when earlier runs' state is used, the ChangeTracker.
//
// Thread-safe: workers call it from their threads. The compiler is used by
// one caller at a time (its lock is never held while the engine runs), the
// tracker locks its own state, and everything else is read-only after
// construction.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

#include "common/clock.h"
#include "common/status.h"
#include "transform/compile/compiler.h"
#include "transform/project/manifest.h"
#include "transform/project/project_files.h"
#include "transform/run_options.h"
#include "transform/run_results.h"
#include "transform/runner/change_tracker.h"
#include "warehouse/engine_traits.h"
#include "warehouse/warehouse.h"

namespace silverwork::transform {

inline double Seconds(std::chrono::steady_clock::duration duration) {
  return std::chrono::duration<double>(duration).count();
}

class RunContext {
 public:
  // Notes the run's start and id (options.run_id, else derived from the
  // clock). REQUIRES: the arguments outlive the context.
  RunContext(const ProjectFiles& files, const Manifest& manifest, const VarMap& vars,
             const RunOptions& options, Clock& clock, const EngineTraits& traits,
             std::filesystem::path artifacts_dir);
  RunContext(const RunContext&) = delete;
  RunContext& operator=(const RunContext&) = delete;

  const ProjectFiles& files() const { return files_; }
  const Manifest& manifest() const { return manifest_; }
  const RunOptions& options() const { return options_; }
  Clock& clock() const { return clock_; }
  // The warehouse engine's traits (engine_traits.h).
  const EngineTraits& traits() const { return traits_; }
  const std::string& run_id() const { return run_id_; }
  // When the run started, by the wall clock (as ISO-8601 text).
  const std::string& started_at() const { return started_at_; }
  const std::filesystem::path& artifacts_dir() const { return artifacts_dir_; }
  double SecondsSinceStart() const { return Seconds(clock_.Monotonic() - started_); }

  // Lets the nodes use what earlier runs recorded. REQUIRES: called at most
  // once, before any node runs.
  void UseBuildState(BuildState state);
  // The tracker of what changed; null when the state is not used.
  ChangeTracker* changes() { return changes_.get(); }

  // The compiler's output (compiler.h), one caller at a time.
  Result<std::string> Compile(const Node& node, bool is_incremental);
  // A test's SQL; with `increment`, a generic test's over just those rows.
  Result<std::string> CompileTest(const Node& node, std::string_view increment = {});
  // How SQL names the node (reads only the manifest: no lock needed).
  std::string RelationSql(const Node& node) const { return compiler_.RelationSql(node); }

  // Writes compiled SQL under compiled/ and notes its path in the result.
  void WriteCompiled(const Node& node, const std::string& sql, NodeResult& result) const;

  // Runs `stage` and adds its duration to `seconds`.
  template <typename Stage>
  auto Timed(double& seconds, Stage&& stage) const {
    auto start = clock_.Monotonic();
    auto outcome = stage();
    seconds += Seconds(clock_.Monotonic() - start);
    return outcome;
  }

 private:
  const ProjectFiles& files_;
  const Manifest& manifest_;
  const RunOptions& options_;
  Clock& clock_;
  const EngineTraits& traits_;
  const std::filesystem::path artifacts_dir_;
  const std::chrono::steady_clock::time_point started_;
  const std::chrono::system_clock::time_point started_instant_;
  std::string started_at_;
  std::string run_id_;
  std::mutex compiler_mutex_;
  Compiler compiler_;
  std::unique_ptr<ChangeTracker> changes_;
};

}  // namespace silverwork::transform
