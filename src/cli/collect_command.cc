// silverwork collect postings|projects, silverwork reload, silverwork status.
#include <cstdio>

#include "cli/wiring.h"
#include "pipeline/run_ledger.h"
#include "pipeline/warehouse_options.h"

namespace silverwork {
namespace {

void AddWindowFlags(CLI::App& command, WindowRequest& flags) {
  command.add_option("--date", flags.date, "collect postings starting on this day (YYYY-MM-DD)");
  command.add_option("--from", flags.from, "first start day of the window (YYYY-MM-DD)");
  command.add_option("--to", flags.to, "last start day of the window (default: today, KST)");
  command.add_option("--days", flags.days, "the last N days up to today (KST)")
      ->check(CLI::Range(1, 100000));
}

void PrintRecentRuns(const std::vector<RunRecord>& runs) {
  for (const auto& run : runs) {
    const RunFigures& figures = run.figures;
    std::printf("run %s  %-18s %-8s %s..%s  details %lld  projects %lld  %s\n", run.run_id.c_str(),
                run.command.c_str(), run.status.c_str(),
                figures.window_from ? figures.window_from->Iso().c_str() : "",
                figures.window_to ? figures.window_to->Iso().c_str() : "",
                static_cast<long long>(figures.details_loaded),
                static_cast<long long>(figures.projects_loaded), run.message.c_str());
  }
}

}  // namespace

void AddCollectCommands(CLI::App& app, CliContext& context) {
  CLI::App* collect = app.add_subcommand("collect", "collect from data.go.kr into the lake and warehouse");
  collect->require_subcommand(1);

  auto window = std::make_shared<WindowRequest>();
  auto skip_details = std::make_shared<bool>(false);
  CLI::App* postings = collect->add_subcommand(
      "postings", "100세누리 job postings whose start date (frDd) falls in a window");
  AddWindowFlags(*postings, *window);
  postings->add_flag("--skip-details", *skip_details, "list pages only, no getJobInfo calls");
  postings->callback([&context, window, skip_details] {
    auto config = StartCommand(context);
    if (!config) return;
    auto resolved = ResolveWindow(*window, *context.clock, 1);
    if (!resolved.ok()) {
      context.exit_code = ReportFailure(resolved.status());
      return;
    }
    TaskReport report = CollectPostingsTask(*config, *context.clock, *resolved, *skip_details);
    PrintTaskDetails(report);
    context.exit_code = ExitCodeFor(report.status);
  });

  auto discover_only = std::make_shared<bool>(false);
  CLI::App* projects = collect->add_subcommand(
      "projects", "노인일자리사업 projects: every file the dataset's OpenAPI document lists");
  projects->add_flag("--discover-only", *discover_only,
                     "print the files the document lists and what changed since the last "
                     "collection; collect nothing");
  projects->callback([&context, discover_only] {
    auto config = StartCommand(context);
    if (!config) return;
    // --discover-only exits 0 whether or not something changed: the verdict
    // is printed (`task run discover_projects` is the sensor, exiting 4).
    TaskReport report = *discover_only ? DiscoverProjectsTask(*config, *context.clock)
                                       : CollectProjectsTask(*config, *context.clock);
    PrintTaskDetails(report);
    context.exit_code = ExitCodeFor(report.status);
  });
}

void AddReloadCommand(CLI::App& app, CliContext& context) {
  CLI::App* reload = app.add_subcommand(
      "reload", "rebuild the raw tables from the lake alone, without the network");
  reload->callback([&context] {
    auto config = StartCommand(context);
    if (!config) return;
    TaskReport report = ReloadTask(*config, *context.clock);
    if (!report.status.ok()) {
      context.exit_code = ReportFailure(report.status);
      return;
    }
    PrintTaskDetails(report);
    auto warehouse = OpenWarehouse(WarehouseOptionsFor(*config));
    Status printed =
        warehouse.ok() ? PrintWarehouseSummary(**warehouse, stdout) : warehouse.status();
    context.exit_code = ExitCodeFor(printed);
  });
}

void AddStatusCommand(CLI::App& app, CliContext& context) {
  CLI::App* status = app.add_subcommand("status", "what the warehouse holds and the last runs");
  status->callback([&context] {
    auto config = StartCommand(context);
    if (!config) return;
    auto warehouse = OpenWarehouse(WarehouseOptionsFor(*config));
    if (!warehouse.ok()) {
      context.exit_code = ReportFailure(warehouse.status());
      return;
    }
    RunLedger ledger(**warehouse, *context.clock);
    Status printed = PrintWarehouseSummary(**warehouse, stdout);
    if (printed.ok()) printed = ledger.EnsureTable();
    if (printed.ok()) {
      auto runs = ledger.Recent(10);
      printed = runs.status();
      if (runs.ok()) PrintRecentRuns(*runs);
    }
    context.exit_code = ExitCodeFor(printed);
  });
}

}  // namespace silverwork
