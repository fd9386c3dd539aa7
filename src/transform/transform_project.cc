#include "transform/transform_project.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "common/date.h"
#include "transform/compile/compiler.h"
#include "transform/project/artifacts.h"
#include "transform/project/manifest.h"
#include "transform/project/project_files.h"
#include "transform/project/selector.h"
#include "transform/runner/catalog_store.h"
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
  if (!options.artifacts_dir.empty()) return options.artifacts_dir;
  return files.root / (files.target_path.empty() ? "target" : files.target_path);
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
  if (!files.ignored_keys.empty())
    spdlog::info("{}: ignoring {} (they mean nothing to silverwork; docs/transform.md)",
                 files.project_file, fmt::join(files.ignored_keys, ", "));
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

namespace {

// An analysis as a node the compiler can render: a model that is never
// built, whose parents are the nodes it refs.
Result<Node> AnalysisNode(const Manifest& manifest, const SqlFile& file) {
  Node node;
  node.index = -1;
  node.name = file.name;
  node.path = file.path;
  node.unique_id = fmt::format("analysis.{}.{}", manifest.project_name(), file.name);
  node.body = &file.body;
  Status status;
  file.body.ForEachCall([&](const Expr& call) {
    if (!status.ok() || (call.name != "ref" && call.name != "source")) return;
    const auto& args = call.operands;
    int parent = call.name == "ref" ? manifest.FindRef(args.back().literal.as_string())
                                    : manifest.FindSource(args[0].literal.as_string(),
                                                          args[1].literal.as_string());
    if (parent < 0)
      status = Status(ErrorCode::kInvalidInput,
                      fmt::format("{}:{}: {}() names nothing in the project", file.path,
                                  call.line, call.name));
    node.parents.push_back(parent);
  });
  SW_RETURN_IF_ERROR(status);
  std::sort(node.parents.begin(), node.parents.end());
  return node;
}

}  // namespace

Result<std::vector<std::string>> TransformProject::Compile(const RunOptions& options) const {
  if (!options.warehouse)
    return Status(ErrorCode::kInvalidInput, "no warehouse given for its engine's spellings",
                  "set RunOptions::warehouse");
  SW_ASSIGN_OR_RETURN(ResolvedManifest resolved, ResolveManifest(*files_, *manifest_, options));
  const Manifest& manifest = *resolved.manifest;
  SW_ASSIGN_OR_RETURN(std::vector<bool> selected,
                      SelectNodes(manifest, options.select, options.exclude));
  Clock& clock = options.clock ? *options.clock : DefaultClock();
  Compiler compiler(manifest, options.warehouse->traits(), resolved.vars,
                    ContextValuesFor(*files_, options.threads, options.run_id, clock, clock.Now()));
  const fs::path artifacts = ArtifactsDir(*files_, options);
  std::vector<std::string> written;
  auto write = [&](const Node& node, const std::string& sql) -> Status {
    const fs::path relative = CompiledPath(node);
    SW_RETURN_IF_ERROR(WriteTextFile(artifacts / relative, sql + "\n"));
    written.push_back(relative.generic_string());
    return Status::Ok();
  };
  for (int index : manifest.order()) {
    const Node& node = manifest.node(index);
    if (!selected[static_cast<size_t>(index)] || !(node.body || node.generic_test)) continue;
    SW_ASSIGN_OR_RETURN(std::string sql, node.generic_test ? compiler.CompileGenericTest(node)
                                                           : compiler.Compile(node, false));
    SW_RETURN_IF_ERROR(write(node, sql));
  }
  for (const SqlFile& file : files_->analyses) {
    SW_ASSIGN_OR_RETURN(Node node, AnalysisNode(manifest, file));
    SW_ASSIGN_OR_RETURN(std::string sql, compiler.Compile(node, false));
    SW_RETURN_IF_ERROR(write(node, sql));
  }
  return written;
}

Status TransformProject::Docs(const RunOptions& options) const {
  SW_ASSIGN_OR_RETURN(ResolvedManifest resolved, ResolveManifest(*files_, *manifest_, options));
  const Manifest& manifest = *resolved.manifest;
  WarehouseCatalog catalog;
  if (options.warehouse) {
    SW_ASSIGN_OR_RETURN(catalog, ReadWarehouseCatalog(manifest, *options.warehouse));
  }
  Clock& clock = options.clock ? *options.clock : DefaultClock();
  const auto now = clock.Now();
  const std::string generated_at = FormatUtcTimestamp(now);
  const fs::path artifacts = ArtifactsDir(*files_, options);
  SW_RETURN_IF_ERROR(
      WriteTextFile(artifacts / "manifest.json",
                    ManifestJson(manifest, catalog.columns, generated_at).dump(2) + "\n"));
  if (options.warehouse) {
    SW_RETURN_IF_ERROR(WriteTextFile(
        artifacts / "catalog.json",
        CatalogJson(manifest, catalog.columns, catalog.row_counts, generated_at).dump(2) + "\n"));
    Compiler compiler(manifest, options.warehouse->traits(), resolved.vars,
                      ContextValuesFor(*files_, options.threads, options.run_id, clock, now));
    auto compile = [&compiler](const Node& node) {
      return node.generic_test ? compiler.CompileGenericTest(node) : compiler.Compile(node, false);
    };
    SW_RETURN_IF_ERROR(StoreCatalogDocument(
        *options.warehouse, CatalogDocument(*files_, manifest, catalog, compile, generated_at),
        generated_at));
  }
  return WriteTextFile(artifacts / "lineage.dot", LineageDot(manifest));
}

}  // namespace silverwork::transform
