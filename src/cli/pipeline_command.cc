// silverwork pipeline: the main job, end to end on the embedded default.
// Collects the last 30 days of postings and every projects file (from the
// built-in simulator when no key or base URL is configured), lands and
// loads them, builds the SQL project (staging -> marts, with data tests),
// and prints what the warehouse and the marts hold. The job itself is
// pipeline/main_job.h; this file prints its steps.
#include <cstdio>

#include "cli/wiring.h"
#include "pipeline/main_job.h"

namespace silverwork {
namespace {

class PrintingListener final : public MainJobListener {
 public:
  void PostingsCollected(const CollectionWindow& window, const CollectOutcome& outcome) override {
    PrintPostingsOutcome(window, outcome.stats);
  }
  void ProjectsCollected(const ProjectsOutcome& outcome) override {
    PrintProjectsOutcome(outcome.stats);
  }
  Status Collected(Warehouse& warehouse) override {
    return PrintWarehouseSummary(warehouse, stdout);
  }
  Status Built(const transform::RunResults& results, Warehouse& warehouse) override {
    std::printf("%s\n", results.Summary().c_str());
    return results.ok() ? PrintMartSummary(warehouse, stdout) : Status::Ok();
  }
};

}  // namespace

void AddPipelineCommand(CLI::App& app, CliContext& context) {
  CLI::App* pipeline = app.add_subcommand(
      "pipeline",
      "the main job: collect the last N days and every projects file, then build the SQL project "
      "(simulator unless a key is configured)");
  auto days = std::make_shared<int>(30);
  pipeline->add_option("--days", *days, "postings for the last N days (KST)")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  pipeline->callback([&context, days] {
    auto config = StartCommand(context);
    if (!config) return;
    PrintingListener listener;
    Status status = RunMainJob(*config, *context.clock, {.days = *days}, listener);
    if (status.ok()) {
      std::printf("warehouse: %s\nlake: %s\n", config->warehouse_path.c_str(),
                  config->lake_path.c_str());
    }
    context.exit_code = ExitCodeFor(status);
  });
}

}  // namespace silverwork
