#include "transform/runner/run_context.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/date.h"
#include "transform/project/artifacts.h"

namespace silverwork::transform {
namespace fs = std::filesystem;
namespace {

// "2026-11-25T01:00:09.123456Z": sortable and unique enough for one project.
std::string RunIdFor(std::chrono::system_clock::time_point now) {
  auto seconds = std::chrono::floor<std::chrono::seconds>(now);
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(now - seconds).count();
  std::string stamp = FormatUtcTimestamp(seconds);
  if (!stamp.empty() && stamp.back() == 'Z') stamp.pop_back();
  return fmt::format("{}.{:06d}Z", stamp, micros);
}

}  // namespace

RunContext::RunContext(const ProjectFiles& files, const Manifest& manifest, const VarMap& vars,
                       const RunOptions& options, Clock& clock, const EngineTraits& traits,
                       fs::path artifacts_dir)
    : files_(files),
      manifest_(manifest),
      options_(options),
      clock_(clock),
      traits_(traits),
      artifacts_dir_(std::move(artifacts_dir)),
      started_(clock.Monotonic()),
      started_instant_(clock.Now()),
      started_at_(FormatUtcTimestamp(started_instant_)),
      run_id_(options.run_id.empty() ? RunIdFor(started_instant_) : options.run_id),
      compiler_(manifest, traits, vars,
                ContextValuesFor(files, options.threads, run_id_, clock, started_instant_)) {}

void RunContext::UseBuildState(BuildState state) {
  changes_ = std::make_unique<ChangeTracker>(*this, std::move(state));
}

Result<std::string> RunContext::Compile(const Node& node, bool is_incremental) {
  std::lock_guard lock(compiler_mutex_);
  return compiler_.Compile(node, is_incremental);
}

Result<std::string> RunContext::CompileTest(const Node& node, std::string_view increment) {
  std::lock_guard lock(compiler_mutex_);
  return node.generic_test ? compiler_.CompileGenericTest(node, increment)
                           : compiler_.Compile(node, false);
}

void RunContext::WriteCompiled(const Node& node, const std::string& sql, NodeResult& result) const {
  const fs::path relative = CompiledPath(node);
  Status status = WriteTextFile(artifacts_dir_ / relative, sql + "\n");
  if (status.ok()) {
    result.compiled_path = relative.generic_string();
  } else {
    spdlog::warn("{}", status.ToString());
  }
}

}  // namespace silverwork::transform
