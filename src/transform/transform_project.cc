#include "transform/transform_project.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "common/date.h"
#include "transform/project/artifacts.h"
#include "transform/project/manifest.h"
#include "transform/project/project_files.h"
#include "transform/project/selector.h"
#include "transform/runner/invocation.h"
#include "transform/runner/workers.h"

namespace silverwork::transform {
namespace fs = std::filesystem;
namespace {

// What each command runs, indexed by TransformProject::Command.
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
  Clock& clock = options.clock ? *options.clock : DefaultClock();
  WorkerPool pool(*options.warehouse, options.threads, clock);
  Invocation invocation(kCommands[static_cast<size_t>(command)], *files_, *resolved.manifest,
                        resolved.vars, options, clock, pool.workers(),
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
