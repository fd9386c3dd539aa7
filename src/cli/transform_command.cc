// silverwork build | run | test | seed | snapshot | ls | compile | docs: the model
// runner over the SQL project (project_dir in the config).
#include <cstdio>
#include <optional>

#include "cli/wiring.h"
#include "pipeline/transform_run.h"

namespace silverwork {
namespace {

struct VerbSpec {
  const char* name;
  const char* help;
  std::optional<TransformVerb> verb;  // none: ls, compile or docs
};

constexpr VerbSpec kVerbs[] = {
    {"build", "seeds, snapshots, models and tests in DAG order", TransformVerb::kBuild},
    {"run", "models only", TransformVerb::kRun},
    {"test", "data tests and source freshness", TransformVerb::kTest},
    {"seed", "load seeds/*.csv", TransformVerb::kSeed},
    {"snapshot", "SCD type 2 snapshots", TransformVerb::kSnapshot},
    {"ls", "print the selected nodes in DAG order", std::nullopt},
    {"compile", "render the selected nodes and the analyses to compiled/ in the artifacts dir",
     std::nullopt},
    {"docs", "write the manifest and catalog (JSON) and lineage graph (DOT) to the artifacts dir",
     std::nullopt},
};

// ls prints the selected nodes; compile writes their SQL; docs writes the
// manifest, catalog and lineage graph.
Status ListOrDocs(const VerbSpec& spec, const Config& config, Clock& clock,
                  const transform::RunOptions& options) {
  if (std::string_view(spec.name) == "ls") {
    SW_ASSIGN_OR_RETURN(auto nodes, ListTransformNodes(config, options));
    for (const auto& node : nodes) std::printf("%s\n", node.c_str());
    return Status::Ok();
  }
  if (std::string_view(spec.name) == "compile") {
    SW_ASSIGN_OR_RETURN(auto files, CompileTransformProject(config, options));
    std::printf("compiled %zu files to %s/compiled\n", files.size(), config.artifacts_dir.c_str());
    return Status::Ok();
  }
  SW_RETURN_IF_ERROR(WriteTransformDocs(config, clock, options));
  std::printf("wrote manifest.json, catalog.json and lineage.dot to %s\n",
              config.artifacts_dir.c_str());
  return Status::Ok();
}

}  // namespace

void AddTransformCommands(CLI::App& app, CliContext& context) {
  for (const auto& spec : kVerbs) {
    CLI::App* command = app.add_subcommand(spec.name, spec.help);
    auto flags = std::make_shared<TransformFlags>();
    AddTransformFlags(*command, *flags, spec.verb.has_value());
    command->callback([&context, flags, spec] {
      auto config = StartCommand(context);
      if (!config) return;
      if (!flags->project_dir.empty()) config->project_dir = flags->project_dir;
      transform::RunOptions options = TransformOptionsFrom(*flags);
      if (!spec.verb) {
        context.exit_code = ExitCodeFor(ListOrDocs(spec, *config, *context.clock, options));
        return;
      }
      TaskReport report = TransformTask(*config, *context.clock, *spec.verb, options);
      if (!std::holds_alternative<transform::RunResults>(report.details)) {
        context.exit_code = ReportFailure(report.status);
        return;
      }
      // Failing nodes are listed in the summary; the exit code says the rest.
      PrintTaskDetails(report);
      context.exit_code = report.status.ok() ? kExitOk : kExitFailure;
    });
  }
}

}  // namespace silverwork
