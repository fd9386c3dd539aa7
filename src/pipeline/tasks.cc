#include "pipeline/tasks.h"

#include <nlohmann/json.hpp>

#include <map>

#include "http/http_client.h"
#include "pipeline/collection_run.h"
#include "pipeline/run_ledger.h"
#include "pipeline/task_outcome_json.h"
#include "pipeline/warehouse_options.h"

namespace silverwork {
namespace {

struct KindEntry {
  TaskKind kind;
  const char* name;
  std::optional<TransformVerb> verb;
};

constexpr KindEntry kKinds[] = {
    {TaskKind::kCollectPostings, "collect_postings", std::nullopt},
    {TaskKind::kCollectProjects, "collect_projects", std::nullopt},
    {TaskKind::kDiscoverProjects, "discover_projects", std::nullopt},
    {TaskKind::kBuild, "build", TransformVerb::kBuild},
    {TaskKind::kRun, "run", TransformVerb::kRun},
    {TaskKind::kTest, "test", TransformVerb::kTest},
    {TaskKind::kSeed, "seed", TransformVerb::kSeed},
    {TaskKind::kSnapshot, "snapshot", TransformVerb::kSnapshot},
    {TaskKind::kReload, "reload", std::nullopt},
    {TaskKind::kDocs, "docs", std::nullopt},
};

const KindEntry& EntryFor(TaskKind kind) {
  for (const auto& entry : kKinds)
    if (entry.kind == kind) return entry;
  return kKinds[0];
}

std::vector<TaskFigure> FiguresOf(std::monostate) { return {}; }

std::vector<TaskFigure> FiguresOf(const PostingsTaskDetails& details) {
  const PostingsCollectStats& stats = details.stats;
  // How many days before the window's start the list had to reach (the
  // lookback, or further back to the oldest posting held open).
  int64_t reach_back_days =
      stats.reach_back == Date() ? 0 : stats.reach_back.DaysUntil(details.window.from);
  return {{"window_days", details.window.days()},
          {"reach_back_days", reach_back_days},
          {"calls", stats.calls},
          {"list_pages", stats.list_pages},
          {"postings_listed", stats.postings_listed},
          {"postings_in_window", stats.postings_in_window},
          {"details_needed", stats.details_needed},
          {"details_loaded", stats.details_loaded},
          {"details_failed", stats.details_failed},
          {"resumed", stats.resumed ? 1 : 0}};
}

std::vector<TaskFigure> FiguresOf(const ProjectsCollectStats& stats) {
  return {{"calls", stats.calls},
          {"files", stats.files},
          {"pages", stats.pages},
          {"rows_loaded", stats.rows_loaded},
          {"rows_rejected", stats.rows_rejected}};
}

std::vector<TaskFigure> FiguresOf(const ProjectsDiscovery& discovery) {
  std::map<ListingChange, int64_t> changes;
  for (const ListingDiff& diff : discovery.listing) ++changes[diff.change];
  return {{"files_listed", static_cast<int64_t>(discovery.document.files.size())},
          {"new", changes[ListingChange::kNew]},
          {"redated", changes[ListingChange::kRedated]},
          {"relisted", changes[ListingChange::kRelisted]},
          {"withdrawn", changes[ListingChange::kWithdrawn]},
          {"changed", discovery.changed() ? 1 : 0}};
}

std::vector<TaskFigure> FiguresOf(const transform::RunResults& results) {
  using transform::NodeStatus;
  int64_t up_to_date = 0, stale_sources = 0;
  for (const auto& node : results.nodes) {
    up_to_date += node.up_to_date ? 1 : 0;
    bool stale = node.status == NodeStatus::kWarn || node.status == NodeStatus::kError;
    stale_sources += node.resource_type == "source" && stale ? 1 : 0;
  }
  return {{"nodes", static_cast<int64_t>(results.nodes.size())},
          {"success", results.Count(NodeStatus::kSuccess)},
          {"error", results.Count(NodeStatus::kError)},
          {"skipped", results.Count(NodeStatus::kSkipped)},
          {"pass", results.Count(NodeStatus::kPass)},
          {"fail", results.Count(NodeStatus::kFail)},
          {"warn", results.Count(NodeStatus::kWarn)},
          {"up_to_date", up_to_date},
          {"stale_sources", stale_sources}};
}

std::vector<TaskFigure> FiguresOf(const ReloadStats& stats) {
  return {{"records", stats.records},
          {"list_pages", stats.list_pages},
          {"details", stats.details},
          {"project_pages", stats.project_pages},
          {"skipped_errors", stats.skipped_errors},
          {"skipped_torn", stats.skipped_torn}};
}

// Measures a task on the clock and assembles its report.
class TaskTimer {
 public:
  TaskTimer(TaskKind kind, Clock& clock) : kind_(kind), clock_(clock), start_(clock.Monotonic()) {}

  template <typename Details = std::monostate>
  TaskReport Report(Status status, std::string run_id = {}, Details details = {}) const {
    TaskReport report{.kind = kind_, .status = std::move(status), .run_id = std::move(run_id)};
    report.figures = FiguresOf(details);
    auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(clock_.Monotonic() - start_);
    report.figures.push_back({"elapsed_ms", elapsed.count()});
    report.details = std::move(details);
    return report;
  }

 private:
  TaskKind kind_;
  Clock& clock_;
  std::chrono::steady_clock::time_point start_;
};

Status FirstFailure(const Status& first, const Status& second) {
  return first.ok() ? second : first;
}

}  // namespace

const char* TaskKindName(TaskKind kind) { return EntryFor(kind).name; }

Result<TaskKind> TaskKindNamed(std::string_view name) {
  std::string known;
  for (const auto& entry : kKinds) {
    if (std::string_view(entry.name) == name) return entry.kind;
    known += (known.empty() ? "" : ", ") + std::string(entry.name);
  }
  return Status(ErrorCode::kInvalidInput, "no task kind is named '" + std::string(name) + "'",
                "use one of " + known);
}

std::optional<TransformVerb> TransformVerbOf(TaskKind kind) { return EntryFor(kind).verb; }

std::optional<int64_t> TaskReport::Figure(std::string_view name) const {
  for (const auto& figure : figures)
    if (figure.name == name) return figure.value;
  return std::nullopt;
}

std::vector<FreshnessCheck> FreshnessChecks(const TaskReport& report) {
  std::vector<FreshnessCheck> checks;
  const auto* results = std::get_if<transform::RunResults>(&report.details);
  if (results == nullptr) return checks;
  for (const auto& node : results->nodes) {
    if (node.resource_type != "source") continue;
    checks.push_back({node.unique_id, transform::NodeStatusName(node.status), node.message});
  }
  return checks;
}

bool TaskReport::NothingNew() const {
  const auto* discovery = std::get_if<ProjectsDiscovery>(&details);
  return status.ok() && discovery != nullptr && !discovery->changed();
}

std::string TaskReportJson(const TaskReport& report) {
  nlohmann::ordered_json json;
  json["task"] = TaskKindName(report.kind);
  json["status"] = RunStateName(RunStateOf(report.status));
  json["run_id"] = report.run_id;
  json["figures"] = nlohmann::ordered_json::object();
  for (const auto& figure : report.figures) json["figures"][figure.name] = figure.value;
  AddTaskOutcomeJson(FreshnessChecks(report), report.status, json);
  return json.dump();
}

TaskReport CollectPostingsTask(const Config& config, Clock& clock, const CollectionWindow& window,
                               bool skip_details) {
  TaskTimer timer(TaskKind::kCollectPostings, clock);
  auto run = CollectionRun::Start(config, clock, {.command = "collect postings"});
  if (!run.ok()) return timer.Report(run.status());
  CollectOutcome outcome = (*run)->CollectPostings(window, skip_details);
  Status finished = (*run)->Finish(outcome.status);
  return timer.Report(FirstFailure(outcome.status, finished), (*run)->run_id(),
                      PostingsTaskDetails{window, outcome.stats});
}

TaskReport CollectProjectsTask(const Config& config, Clock& clock) {
  TaskTimer timer(TaskKind::kCollectProjects, clock);
  auto run = CollectionRun::Start(config, clock, {.command = "collect projects"});
  if (!run.ok()) return timer.Report(run.status());
  ProjectsOutcome outcome = (*run)->CollectProjects();
  Status finished = (*run)->Finish(outcome.status);
  return timer.Report(FirstFailure(outcome.status, finished), (*run)->run_id(), outcome.stats);
}

TaskReport DiscoverProjectsTask(const Config& config, Clock& clock) {
  TaskTimer timer(TaskKind::kDiscoverProjects, clock);
  if (config.projects.openapi_url.empty()) {
    return timer.Report(Status(ErrorCode::kInvalidInput,
                               "[projects] openapi_url is empty: nothing to discover",
                               std::string("set it to the dataset's OpenAPI document, ") +
                                   Config::kRealProjectsDocumentUrl));
  }
  auto warehouse = OpenWarehouse(WarehouseOptionsFor(config));
  if (!warehouse.ok()) return timer.Report(warehouse.status());
  ProjectsDiscoveryOptions options;
  options.openapi_url = config.projects.openapi_url;
  options.pins = config.projects.files;
  options.caller.timeout = std::chrono::milliseconds(config.projects.timeout_ms);
  options.caller.retry.max_attempts = config.projects.max_attempts;
  options.caller.retry.base_delay = std::chrono::milliseconds(config.postings.backoff_base_ms);
  options.caller.retry.max_delay = std::chrono::milliseconds(config.postings.backoff_max_ms);
  auto discovery = DiscoverProjectFiles(options, **warehouse, clock,
                                        [http = HttpClientOptions{.ca_file = config.http.ca_file}] {
                                          return CreateHttpClient(http);
                                        });
  if (!discovery.ok()) return timer.Report(discovery.status());
  return timer.Report(Status::Ok(), {}, std::move(discovery).value());
}

TaskReport TransformTask(const Config& config, Clock& clock, TransformVerb verb,
                         transform::RunOptions options) {
  TaskKind kind = TaskKind::kBuild;
  for (const auto& entry : kKinds)
    if (entry.verb == verb) kind = entry.kind;
  TaskTimer timer(kind, clock);
  auto results = RunTransform(config, clock, verb, std::move(options));
  if (!results.ok()) return timer.Report(results.status());
  Status failure = BuildFailure(*results, config);
  std::string run_id = results->run_id;
  return timer.Report(std::move(failure), std::move(run_id), std::move(results).value());
}

TaskReport ReloadTask(const Config& config, Clock& clock) {
  TaskTimer timer(TaskKind::kReload, clock);
  auto warehouse =
      OpenWarehouse(WarehouseOptionsFor(config));
  if (!warehouse.ok()) return timer.Report(warehouse.status());
  ReloadOptions options{.lake_root = config.lake_path,
                        .project_files = config.projects.files,
                        .column_aliases = config.projects.column_aliases,
                        .loaded_at = FormatUtcTimestamp(clock.Now())};
  auto stats = ReloadFromLake(options, **warehouse);
  if (!stats.ok()) return timer.Report(stats.status());
  return timer.Report(Status::Ok(), {}, *stats);
}

TaskReport DocsTask(const Config& config, Clock& clock, transform::RunOptions options) {
  TaskTimer timer(TaskKind::kDocs, clock);
  return timer.Report(WriteTransformDocs(config, clock, std::move(options)));
}

TaskReport RunTask(const Config& config, Clock& clock, const TaskRequest& request) {
  bool collects_postings = request.kind == TaskKind::kCollectPostings;
  if (collects_postings && !request.window) {
    return TaskTimer(request.kind, clock)
        .Report(Status(ErrorCode::kInvalidInput, "collect_postings needs the days to collect",
                       "give --from D and --to D (KST days, YYYY-MM-DD)"));
  }
  if (!collects_postings && (request.window || request.skip_details)) {
    return TaskTimer(request.kind, clock)
        .Report(Status(ErrorCode::kInvalidInput,
                       "a window (--from/--to) and --skip-details apply to collect_postings only",
                       "leave them out for " + std::string(TaskKindName(request.kind))));
  }
  if (auto verb = TransformVerbOf(request.kind))
    return TransformTask(config, clock, *verb, request.transform);
  switch (request.kind) {
    case TaskKind::kCollectPostings:
      return CollectPostingsTask(config, clock, *request.window, request.skip_details);
    case TaskKind::kCollectProjects: return CollectProjectsTask(config, clock);
    case TaskKind::kDiscoverProjects: return DiscoverProjectsTask(config, clock);
    case TaskKind::kReload: return ReloadTask(config, clock);
    case TaskKind::kDocs: return DocsTask(config, clock, request.transform);
    default: break;
  }
  return TaskTimer(request.kind, clock)
      .Report(Status(ErrorCode::kInternal,
                     "task kind " + std::string(TaskKindName(request.kind)) + " has no entry point"));
}

}  // namespace silverwork
