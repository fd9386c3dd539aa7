#include "pipeline/transform_run.h"

#include <algorithm>
#include <thread>

#include <spdlog/spdlog.h>

#include "pipeline/warehouse_options.h"

namespace silverwork {
namespace {

struct VerbEntry {
  TransformVerb verb;
  std::string_view name;
  Result<transform::RunResults> (transform::TransformProject::*run)(
      const transform::RunOptions&) const;
};

constexpr VerbEntry kVerbTable[] = {
    {TransformVerb::kBuild, "build", &transform::TransformProject::Build},
    {TransformVerb::kRun, "run", &transform::TransformProject::Run},
    {TransformVerb::kTest, "test", &transform::TransformProject::Test},
    {TransformVerb::kSeed, "seed", &transform::TransformProject::Seed},
    {TransformVerb::kSnapshot, "snapshot", &transform::TransformProject::Snapshot},
};

const VerbEntry& EntryFor(TransformVerb verb) {
  for (const auto& entry : kVerbTable)
    if (entry.verb == verb) return entry;
  return kVerbTable[0];
}

transform::RunOptions WithDefaults(const Config& config, transform::RunOptions options) {
  if (options.artifacts_dir.empty()) options.artifacts_dir = config.artifacts_dir;
  return options;
}

}  // namespace

std::string_view TransformVerbName(TransformVerb verb) { return EntryFor(verb).name; }

std::optional<TransformVerb> TransformVerbNamed(std::string_view name) {
  for (const auto& entry : kVerbTable)
    if (entry.name == name) return entry.verb;
  return std::nullopt;
}

int DefaultTransformThreads() {
  return static_cast<int>(std::clamp(std::thread::hardware_concurrency(), 1u, 4u));
}

Result<transform::RunResults> RunTransform(const Config& config, Clock& clock, TransformVerb verb,
                                           transform::RunOptions options) {
  SW_ASSIGN_OR_RETURN(auto project, transform::TransformProject::Load(config.project_dir));
  SW_ASSIGN_OR_RETURN(auto warehouse, OpenWarehouse(WarehouseOptionsFor(config)));
  options = WithDefaults(config, std::move(options));
  options.warehouse = warehouse.get();
  options.clock = &clock;
  return (project.*EntryFor(verb).run)(options);
}

Result<std::vector<std::string>> ListTransformNodes(const Config& config,
                                                    transform::RunOptions options) {
  SW_ASSIGN_OR_RETURN(auto project, transform::TransformProject::Load(config.project_dir));
  return project.List(WithDefaults(config, std::move(options)));
}

Status WriteTransformDocs(const Config& config, Clock& clock, transform::RunOptions options) {
  SW_ASSIGN_OR_RETURN(auto project, transform::TransformProject::Load(config.project_dir));
  options = WithDefaults(config, std::move(options));
  options.clock = &clock;
  auto warehouse = OpenWarehouse(WarehouseOptionsFor(config));
  if (warehouse.ok()) {
    options.warehouse = warehouse->get();
  } else {
    spdlog::warn("docs without catalog.json: {}", warehouse.status().ToString());
  }
  return project.Docs(options);
}

Result<std::vector<std::string>> CompileTransformProject(const Config& config,
                                                         transform::RunOptions options) {
  SW_ASSIGN_OR_RETURN(auto project, transform::TransformProject::Load(config.project_dir));
  SW_ASSIGN_OR_RETURN(auto warehouse, OpenWarehouse(WarehouseOptionsFor(config)));
  options = WithDefaults(config, std::move(options));
  options.warehouse = warehouse.get();
  return project.Compile(options);
}

Status BuildFailure(const transform::RunResults& results, const Config& config) {
  if (results.ok()) return Status::Ok();
  return Status(ErrorCode::kInvalidInput, "the model build had failures (above)",
                "see " + config.artifacts_dir + "/run_results.json and the _sw_test_failures table");
}

}  // namespace silverwork
