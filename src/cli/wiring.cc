#include "cli/wiring.h"

#include <cstdio>
#include <filesystem>

#include "common/log.h"
#include "ingest/raw_tables.h"
#include "pipeline/simulator_endpoints.h"

namespace silverwork {

Result<Config> LoadCliConfig(const CliContext& context) {
  std::string path = context.config_path;
  if (path.empty()) {
    if (const char* env = std::getenv("SILVERWORK_CONFIG"); env != nullptr && *env != '\0') {
      path = env;
    } else if (std::filesystem::exists("silverwork.toml")) {
      path = "silverwork.toml";
    }
  }
  SW_ASSIGN_OR_RETURN(Config config, LoadConfig(path));
  // `silverwork standalone` names its simulator for the task processes.
  SW_RETURN_IF_ERROR(ApplySimulatorEnvironment(config));
  return config;
}

void SetUpLogging(const CliContext& context, const Config& config) {
  LogLevel level = LogLevel::kInfo;
  if (context.log_level == "debug") level = LogLevel::kDebug;
  if (context.log_level == "warn") level = LogLevel::kWarn;
  if (context.log_level == "error") level = LogLevel::kError;
  InitLogging({.level = level, .file = config.log_file});
}

std::optional<Config> StartCommand(CliContext& context) {
  auto config = LoadCliConfig(context);
  if (!config.ok()) {
    context.exit_code = ReportFailure(config.status());
    return std::nullopt;
  }
  SetUpLogging(context, *config);
  return std::move(config).value();
}

int ReportFailure(const Status& status) {
  std::fprintf(stderr, "%s\n", RedactSecrets(status.ToUserMessage()).c_str());
  return status.IsQuotaExhausted() ? kExitResumeLater : kExitFailure;
}

int ExitCodeFor(const Status& status) { return status.ok() ? kExitOk : ReportFailure(status); }

Status PrintWarehouseSummary(Warehouse& warehouse, std::FILE* out) {
  SW_RETURN_IF_ERROR(EnsureRawTables(warehouse));
  SW_ASSIGN_OR_RETURN(QueryResult postings,
                      warehouse.QueryAll("SELECT COUNT(*), COUNT(_detail_status), "
                                         "SUM(CASE WHEN deadline = '접수중' THEN 1 ELSE 0 END), "
                                         "MIN(frDd), MAX(frDd) FROM raw_postings"));
  const Row& row = postings.rows.at(0);
  std::fprintf(out, "raw_postings: %s postings (%s with details, %s open), start dates %s .. %s\n",
               ValueToString(row[0]).c_str(), ValueToString(row[1]).c_str(),
               ValueToString(row[2]).c_str(), ValueToString(row[3]).c_str(),
               ValueToString(row[4]).c_str());
  SW_ASSIGN_OR_RETURN(QueryResult projects,
                      warehouse.QueryAll("SELECT _file_year, COUNT(*), "
                                         "SUM(CASE WHEN delYn = 'Y' THEN 1 ELSE 0 END) "
                                         "FROM raw_projects GROUP BY _file_year ORDER BY 1"));
  std::fprintf(out, "raw_projects:");
  if (projects.rows.empty()) std::fprintf(out, " none");
  for (const auto& year : projects.rows) {
    std::fprintf(out, " %s: %s rows (%s deleted);", ValueToString(year[0]).c_str(),
                 ValueToString(year[1]).c_str(), ValueToString(year[2]).c_str());
  }
  std::fprintf(out, "\n");
  return Status::Ok();
}

void AddTransformFlags(CLI::App& command, TransformFlags& flags, bool runs_models) {
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

transform::RunOptions TransformOptionsFrom(const TransformFlags& flags) {
  transform::RunOptions options;
  options.select = flags.select;
  options.exclude = flags.exclude;
  options.vars = flags.vars;
  options.full_refresh = flags.full_refresh;
  options.use_state = !flags.no_state;
  options.fail_fast = flags.fail_fast;
  options.threads = flags.threads;
  return options;
}

void PrintPostingsOutcome(const CollectionWindow& window, const PostingsCollectStats& stats) {
  std::printf(
      "postings %s..%s: %lld in window; %lld list pages (%lld items), %lld of %lld details "
      "loaded, %lld failed, %lld calls (list %.1f s, details %.1f s)%s\n",
      window.from.Iso().c_str(), window.to.Iso().c_str(),
      static_cast<long long>(stats.postings_in_window), static_cast<long long>(stats.list_pages),
      static_cast<long long>(stats.postings_listed), static_cast<long long>(stats.details_loaded),
      static_cast<long long>(stats.details_needed), static_cast<long long>(stats.details_failed),
      static_cast<long long>(stats.calls), stats.list_seconds, stats.detail_seconds,
      stats.resumed ? " (resumed)" : "");
}

void PrintProjectsOutcome(const ProjectsCollectStats& stats) {
  std::printf("projects: %lld rows from %lld files (%lld pages, %lld calls)",
              static_cast<long long>(stats.rows_loaded), static_cast<long long>(stats.files),
              static_cast<long long>(stats.pages), static_cast<long long>(stats.calls));
  for (const auto& [year, rows] : stats.rows_per_year)
    std::printf("; %d: %lld", year, static_cast<long long>(rows));
  if (stats.rows_rejected > 0)
    std::printf("; %lld rows without a key skipped", static_cast<long long>(stats.rows_rejected));
  std::printf("\n");
  for (const std::string& line : stats.ReportLines()) std::printf("  %s\n", line.c_str());
  for (const auto& [file_id, names] : stats.unknown_columns) {
    std::printf("  unknown columns in %s:", file_id.c_str());
    for (const auto& name : names) std::printf(" %s", name.c_str());
    std::printf(" (kept in raw_projects._extra)\n");
  }
}

void PrintReloadOutcome(const ReloadStats& stats) {
  std::printf(
      "reloaded %lld lake records: %lld list pages, %lld details (%lld postings written "
      "as one row, %lld of them appended as new), %lld projects pages; "
      "%lld error responses and %lld torn records skipped\n",
      static_cast<long long>(stats.records), static_cast<long long>(stats.list_pages),
      static_cast<long long>(stats.details), static_cast<long long>(stats.postings_written_once),
      static_cast<long long>(stats.postings_appended),
      static_cast<long long>(stats.project_pages), static_cast<long long>(stats.skipped_errors),
      static_cast<long long>(stats.skipped_torn));
}

void PrintTaskDetails(const TaskReport& report) {
  if (const auto* postings = std::get_if<PostingsTaskDetails>(&report.details))
    PrintPostingsOutcome(postings->window, postings->stats);
  if (const auto* projects = std::get_if<ProjectsCollectStats>(&report.details))
    PrintProjectsOutcome(*projects);
  if (const auto* discovery = std::get_if<ProjectsDiscovery>(&report.details))
    for (const std::string& line : discovery->Lines()) std::printf("%s\n", line.c_str());
  if (const auto* results = std::get_if<transform::RunResults>(&report.details))
    std::printf("%s\n", results->Summary().c_str());
  if (const auto* reload = std::get_if<ReloadStats>(&report.details)) PrintReloadOutcome(*reload);
}

Status PrintMartSummary(Warehouse& warehouse, std::FILE* out) {
  struct Section {
    const char* title;
    const char* sql;
  };
  static constexpr Section kSections[] = {
      {"postings and target jobs per year",
       "SELECT year, SUM(postings), SUM(target_jobs) FROM mart_jobs_vs_postings GROUP BY year "
       "ORDER BY year DESC LIMIT 5"},
      {"top provinces by postings, newest year",
       "SELECT province_name, postings, target_jobs FROM mart_top_regions WHERE year = "
       "(SELECT MAX(year) FROM mart_top_regions WHERE postings > 0) ORDER BY postings_rank "
       "LIMIT 3"},
      {"employment shapes, newest year",
       "SELECT employment_shape_name, postings, share_pct || '%' FROM mart_postings_by_shape_year "
       "WHERE year = (SELECT MAX(year) FROM mart_postings_by_shape_year) ORDER BY postings DESC"},
      {"top preferences",
       "SELECT category, SUM(postings) FROM mart_preference_counts GROUP BY category "
       "ORDER BY 2 DESC LIMIT 5"},
      {"target jobs by years of continuation",
       "SELECT continuation_years || 'y', SUM(target_jobs) FROM mart_continuity "
       "GROUP BY continuation_years ORDER BY continuation_years LIMIT 5"},
  };
  for (const auto& section : kSections) {
    std::fprintf(out, "%s:", section.title);
    SW_RETURN_IF_ERROR(warehouse.Query(section.sql, {}, [&](const Row& row) {
      std::string cells;
      for (const auto& value : row) cells += (cells.empty() ? "" : " ") + ValueToString(value);
      std::fprintf(out, "  %s;", cells.c_str());
      return Status::Ok();
    }));
    std::fprintf(out, "\n");
  }
  return Status::Ok();
}

}  // namespace silverwork
