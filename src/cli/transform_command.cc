// silverwork build | run | test | seed | snapshot | ls | docs: the model
// runner over the SQL project (project_dir in the config).
#include <algorithm>
#include <cstdio>
#include <thread>

#include "cli/wiring.h"
#include "transform/transform_project.h"

namespace silverwork {
namespace {

struct TransformFlags {
  std::vector<std::string> select;
  std::vector<std::string> exclude;
  std::vector<std::string> vars;
  bool full_refresh = false;
  bool no_state = false;
  bool fail_fast = false;
  int threads = DefaultTransformThreads();
  std::string project_dir;
};

using Verb = Result<transform::RunResults> (transform::TransformProject::*)(
    const transform::RunOptions&) const;

struct VerbSpec {
  const char* name;
  const char* help;
  Verb verb;  // null: ls or docs
};

constexpr VerbSpec kVerbs[] = {
    {"build", "seeds, snapshots, models and tests in DAG order",
     &transform::TransformProject::Build},
    {"run", "models only", &transform::TransformProject::Run},
    {"test", "data tests and source freshness", &transform::TransformProject::Test},
    {"seed", "load seeds/*.csv", &transform::TransformProject::Seed},
    {"snapshot", "SCD type 2 snapshots", &transform::TransformProject::Snapshot},
    {"ls", "print the selected nodes in DAG order", nullptr},
    {"docs", "write the manifest (JSON) and lineage graph (DOT) to the artifacts dir", nullptr},
};

void AddFlags(CLI::App& command, TransformFlags& flags, bool runs_models) {
  command.add_option("-s,--select", flags.select, "nodes to include: m, +m, m+, tag:x, path:dir");
  command.add_option("--exclude", flags.exclude, "nodes to leave out (same syntax)");
  command.add_option("--project-dir", flags.project_dir, "the SQL project (default: project_dir)");
  if (!runs_models) return;
  command.add_option("--vars", flags.vars, "key=value overrides of project vars");
  command.add_flag("--full-refresh", flags.full_refresh, "rebuild incremental models from scratch");
  command.add_flag("--no-state", flags.no_state,
                   "run every selected node and test every row, even where nothing changed");
  command.add_flag("--fail-fast", flags.fail_fast, "stop at the first failure");
  command
      .add_option("--threads", flags.threads,
                  "nodes run at once, each on its own connection (default: the cores, at most 4)")
      ->check(CLI::Range(1, 16));
}

}  // namespace

int DefaultTransformThreads() {
  return static_cast<int>(std::clamp(std::thread::hardware_concurrency(), 1u, 4u));
}

Result<transform::RunResults> RunTransform(const Config& config, const std::string& verb_name,
                                           transform::RunOptions options) {
  SW_ASSIGN_OR_RETURN(auto project, transform::TransformProject::Load(config.project_dir));
  SW_ASSIGN_OR_RETURN(auto warehouse, OpenWarehouse({.engine = config.warehouse_engine,
                                                     .location = config.warehouse_path}));
  options.warehouse = warehouse.get();
  if (options.artifacts_dir.empty()) options.artifacts_dir = config.artifacts_dir;
  for (const auto& spec : kVerbs) {
    if (verb_name == spec.name && spec.verb != nullptr) return (project.*spec.verb)(options);
  }
  return Status(ErrorCode::kInternal, "no such transform verb: " + verb_name);
}

void AddTransformCommands(CLI::App& app, CliContext& context) {
  for (const auto& spec : kVerbs) {
    CLI::App* command = app.add_subcommand(spec.name, spec.help);
    auto flags = std::make_shared<TransformFlags>();
    AddFlags(*command, *flags, spec.verb != nullptr);
    command->callback([&context, flags, spec] {
      auto config = LoadCliConfig(context);
      if (!config.ok()) {
        context.exit_code = ReportFailure(config.status());
        return;
      }
      SetUpLogging(context, *config);
      if (!flags->project_dir.empty()) config->project_dir = flags->project_dir;
      transform::RunOptions options;
      options.select = flags->select;
      options.exclude = flags->exclude;
      options.vars = flags->vars;
      options.full_refresh = flags->full_refresh;
      options.use_state = !flags->no_state;
      options.fail_fast = flags->fail_fast;
      options.threads = flags->threads;
      if (spec.verb == nullptr) {
        auto project = transform::TransformProject::Load(config->project_dir);
        if (!project.ok()) {
          context.exit_code = ReportFailure(project.status());
          return;
        }
        options.artifacts_dir = config->artifacts_dir;
        if (std::string(spec.name) == "ls") {
          auto nodes = project->List(options);
          if (!nodes.ok()) {
            context.exit_code = ReportFailure(nodes.status());
            return;
          }
          for (const auto& node : *nodes) std::printf("%s\n", node.c_str());
        } else {
          Status written = project->Docs(options);
          if (!written.ok()) {
            context.exit_code = ReportFailure(written);
            return;
          }
          std::printf("wrote manifest.json and lineage.dot to %s\n", config->artifacts_dir.c_str());
        }
        return;
      }
      auto results = RunTransform(*config, spec.name, options);
      if (!results.ok()) {
        context.exit_code = ReportFailure(results.status());
        return;
      }
      std::printf("%s\n", results->Summary().c_str());
      context.exit_code = results->ok() ? kExitOk : kExitFailure;
    });
  }
}

}  // namespace silverwork
