// silverwork pipeline: the main job, end to end on the embedded default.
// Collects the last 30 days of postings and every projects file (from the
// built-in simulator when no key or base URL is configured), lands and
// loads them, builds the SQL project (staging -> marts, with data tests),
// and prints what the warehouse and the marts hold.
#include <spdlog/spdlog.h>

#include "cli/wiring.h"

namespace silverwork {

void AddPipelineCommand(CLI::App& app, CliContext& context) {
  CLI::App* pipeline = app.add_subcommand(
      "pipeline", "the main job: collect, land and load (simulator unless a key is configured)");
  auto days = std::make_shared<int>(30);
  pipeline->add_option("--days", *days, "postings for the last N days (KST)")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  pipeline->callback([&context, days] {
    auto config = LoadCliConfig(context);
    if (!config.ok()) {
      context.exit_code = ReportFailure(config.status());
      return;
    }
    SetUpLogging(context, *config);
    auto run = CollectionRun::Start(*config, "pipeline", true);
    if (!run.ok()) {
      context.exit_code = ReportFailure(run.status());
      return;
    }
    Date to = Date::KoreaDay(std::chrono::system_clock::now());
    Date from = to.AddDays(-(*days - 1));
    CollectOutcome postings = (*run)->CollectPostings(from, to, false);
    PrintPostingsOutcome(from, to, postings);
    Status status = postings.status;
    if (status.ok()) {
      ProjectsOutcome projects = (*run)->CollectProjects();
      PrintProjectsOutcome(projects);
      status = projects.status;
    }
    Status finished = (*run)->Finish(status);
    if (status.ok()) status = finished;
    if (status.ok()) status = PrintWarehouseSummary((*run)->warehouse(), stdout);
    if (status.ok()) {
      auto built = RunTransform((*run)->config(), "build",
                                transform::RunOptions{.threads = DefaultTransformThreads()});
      if (!built.ok()) {
        status = built.status();
      } else {
        std::printf("%s\n", built->Summary().c_str());
        if (!built->ok()) {
          status = Status(ErrorCode::kInvalidInput, "the model build had failures (above)",
                          "see " + (*run)->config().artifacts_dir +
                              "/run_results.json and the _sw_test_failures table");
        }
      }
    }
    if (status.ok()) status = PrintMartSummary((*run)->warehouse(), stdout);
    if (status.ok()) {
      std::printf("warehouse: %s\nlake: %s\n", (*run)->config().warehouse_path.c_str(),
                  (*run)->config().lake_path.c_str());
    }
    context.exit_code = status.ok() ? kExitOk : ReportFailure(status);
  });
}

}  // namespace silverwork
