// silverwork collect postings|projects, silverwork reload, silverwork status.
#include <spdlog/spdlog.h>

#include <cstdio>

#include "cli/wiring.h"
#include "ingest/reloader.h"

namespace silverwork {
namespace {

struct WindowFlags {
  std::string date, from, to;
  int days = 0;
};

void AddWindowFlags(CLI::App& command, WindowFlags& flags) {
  command.add_option("--date", flags.date, "collect postings starting on this day (YYYY-MM-DD)");
  command.add_option("--from", flags.from, "first start day of the window (YYYY-MM-DD)");
  command.add_option("--to", flags.to, "last start day of the window (default: today, KST)");
  command.add_option("--days", flags.days, "the last N days up to today (KST)")
      ->check(CLI::Range(1, 100000));
}

// Resolves the window flags; `default_days` applies when none is given.
Result<std::pair<Date, Date>> ResolveWindow(const WindowFlags& flags, int default_days) {
  Date today = Date::KoreaDay(std::chrono::system_clock::now());
  if (!flags.date.empty()) {
    if (!flags.from.empty() || !flags.to.empty() || flags.days > 0) {
      return Status(ErrorCode::kInvalidInput, "--date cannot be combined with --from/--to/--days",
                    "give either --date D or a window");
    }
    SW_ASSIGN_OR_RETURN(Date day, Date::Parse(flags.date));
    return std::make_pair(day, day);
  }
  Date to = today;
  if (!flags.to.empty()) {
    SW_ASSIGN_OR_RETURN(to, Date::Parse(flags.to));
  }
  if (!flags.from.empty()) {
    if (flags.days > 0) {
      return Status(ErrorCode::kInvalidInput, "--from cannot be combined with --days",
                    "give either --from or --days");
    }
    SW_ASSIGN_OR_RETURN(Date from, Date::Parse(flags.from));
    if (to < from) {
      return Status(ErrorCode::kInvalidInput,
                    "--to " + to.Iso() + " is before --from " + from.Iso(), "swap them");
    }
    return std::make_pair(from, to);
  }
  int days = flags.days > 0 ? flags.days : default_days;
  return std::make_pair(to.AddDays(-(days - 1)), to);
}

}  // namespace

void AddCollectCommands(CLI::App& app, CliContext& context) {
  CLI::App* collect = app.add_subcommand("collect", "collect from data.go.kr into the lake and warehouse");
  collect->require_subcommand(1);

  auto window = std::make_shared<WindowFlags>();
  auto skip_details = std::make_shared<bool>(false);
  CLI::App* postings = collect->add_subcommand(
      "postings", "100세누리 job postings whose start date (frDd) falls in a window");
  AddWindowFlags(*postings, *window);
  postings->add_flag("--skip-details", *skip_details, "list pages only, no getJobInfo calls");
  postings->callback([&context, window, skip_details] {
    auto config = LoadCliConfig(context);
    if (!config.ok()) {
      context.exit_code = ReportFailure(config.status());
      return;
    }
    SetUpLogging(context, *config);
    auto resolved = ResolveWindow(*window, 1);
    if (!resolved.ok()) {
      context.exit_code = ReportFailure(resolved.status());
      return;
    }
    auto run = CollectionRun::Start(*config, "collect postings", false);
    if (!run.ok()) {
      context.exit_code = ReportFailure(run.status());
      return;
    }
    auto [from, to] = *resolved;
    CollectOutcome outcome = (*run)->CollectPostings(from, to, *skip_details);
    PrintPostingsOutcome(from, to, outcome);
    Status finished = (*run)->Finish(outcome.status);
    Status status = outcome.status.ok() ? finished : outcome.status;
    context.exit_code = status.ok() ? kExitOk : ReportFailure(status);
  });

  CLI::App* projects =
      collect->add_subcommand("projects", "노인일자리사업 projects: every configured year's file");
  projects->callback([&context] {
    auto config = LoadCliConfig(context);
    if (!config.ok()) {
      context.exit_code = ReportFailure(config.status());
      return;
    }
    SetUpLogging(context, *config);
    auto run = CollectionRun::Start(*config, "collect projects", false);
    if (!run.ok()) {
      context.exit_code = ReportFailure(run.status());
      return;
    }
    ProjectsOutcome outcome = (*run)->CollectProjects();
    PrintProjectsOutcome(outcome);
    Status finished = (*run)->Finish(outcome.status);
    Status status = outcome.status.ok() ? finished : outcome.status;
    context.exit_code = status.ok() ? kExitOk : ReportFailure(status);
  });
}

void AddReloadCommand(CLI::App& app, CliContext& context) {
  CLI::App* reload = app.add_subcommand(
      "reload", "rebuild the raw tables from the lake alone, without the network");
  reload->callback([&context] {
    auto config = LoadCliConfig(context);
    if (!config.ok()) {
      context.exit_code = ReportFailure(config.status());
      return;
    }
    SetUpLogging(context, *config);
    auto warehouse = OpenWarehouse(WarehouseOptionsFor(*config));
    if (!warehouse.ok()) {
      context.exit_code = ReportFailure(warehouse.status());
      return;
    }
    ReloadOptions options{.lake_root = config->lake_path,
                          .project_files = config->projects.files,
                          .column_aliases = config->projects.column_aliases,
                          .loaded_at = FormatUtcTimestamp(std::chrono::system_clock::now())};
    auto stats = ReloadFromLake(options, **warehouse);
    if (!stats.ok()) {
      context.exit_code = ReportFailure(stats.status());
      return;
    }
    std::printf("reloaded %lld lake records: %lld list pages, %lld details, %lld projects pages; "
                "%lld error responses and %lld torn records skipped\n",
                static_cast<long long>(stats->records), static_cast<long long>(stats->list_pages),
                static_cast<long long>(stats->details),
                static_cast<long long>(stats->project_pages),
                static_cast<long long>(stats->skipped_errors),
                static_cast<long long>(stats->skipped_torn));
    Status printed = PrintWarehouseSummary(**warehouse, stdout);
    context.exit_code = printed.ok() ? kExitOk : ReportFailure(printed);
  });
}

void AddStatusCommand(CLI::App& app, CliContext& context) {
  CLI::App* status = app.add_subcommand("status", "what the warehouse holds and the last runs");
  status->callback([&context] {
    auto config = LoadCliConfig(context);
    if (!config.ok()) {
      context.exit_code = ReportFailure(config.status());
      return;
    }
    SetUpLogging(context, *config);
    auto warehouse = OpenWarehouse(WarehouseOptionsFor(*config));
    if (!warehouse.ok()) {
      context.exit_code = ReportFailure(warehouse.status());
      return;
    }
    Status printed = PrintWarehouseSummary(**warehouse, stdout);
    if (printed.ok()) {
      printed = (*warehouse)->Query(
          "SELECT run_id, command, status, COALESCE(window_from, ''), COALESCE(window_to, ''), "
          "COALESCE(details_loaded, 0), COALESCE(projects_loaded, 0), COALESCE(message, '') "
          "FROM _sw_runs ORDER BY run_id DESC LIMIT 10",
          {}, [](const Row& row) {
            std::printf("run %s  %-18s %-8s %s..%s  details %s  projects %s  %s\n",
                        ValueToString(row[0]).c_str(), ValueToString(row[1]).c_str(),
                        ValueToString(row[2]).c_str(), ValueToString(row[3]).c_str(),
                        ValueToString(row[4]).c_str(), ValueToString(row[5]).c_str(),
                        ValueToString(row[6]).c_str(), ValueToString(row[7]).c_str());
            return Status::Ok();
          });
    }
    context.exit_code = printed.ok() ? kExitOk : ReportFailure(printed);
  });
}

}  // namespace silverwork
