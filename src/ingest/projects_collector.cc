#include "ingest/projects_collector.h"

#include <spdlog/spdlog.h>

#include <future>
#include <nlohmann/json.hpp>

#include "common/log.h"

namespace silverwork {
namespace {
constexpr const char* kPassKey = "projects.pass.finished";
}  // namespace

ProjectsCollector::ProjectsCollector(ProjectsCollectorOptions options,
                                     CollectorEnvironment& environment)
    : options_(std::move(options)),
      env_(environment),
      columns_(options_.column_aliases),
      loader_(environment.warehouse, columns_) {}

ProjectsOutcome ProjectsCollector::Run() {
  ProjectsOutcome outcome;
  Status status = EnsureRawTables(env_.warehouse);
  RateBudget budget(options_.budget, env_.clock);
  if (status.ok())
    status = LoadBudgetUsage(env_.warehouse, budget, {ProjectsClient::kOperation});
  int64_t calls_before = budget.UsedToday(std::string(ProjectsClient::kOperation));
  // A pass reads every file once. A pass cut short by the quota resumes with
  // the files it had not finished, so a long pass spans several runs.
  std::set<std::string> finished;
  if (status.ok()) {
    auto saved = env_.warehouse.GetState(kPassKey);
    if (!saved.ok()) status = saved.status();
    else if (saved->has_value()) {
      auto json = nlohmann::json::parse(**saved, nullptr, false);
      if (json.is_array())
        for (const auto& file_id : json) finished.insert(file_id.get<std::string>());
    }
  }
  for (const auto& [year, file_id] : options_.files) {
    if (!status.ok()) break;
    if (finished.contains(file_id)) {
      spdlog::info("projects file {} ({}) was finished earlier in this pass", year, file_id);
      continue;
    }
    status = CollectFile(year, file_id, budget);
    if (!status.ok()) break;
    finished.insert(file_id);
    stats_.files += 1;
    status = env_.warehouse.PutState(kPassKey, nlohmann::json(finished).dump());
  }
  if (status.ok()) status = env_.warehouse.DeleteState(kPassKey);
  stats_.calls = budget.UsedToday(std::string(ProjectsClient::kOperation)) - calls_before;
  stats_.rows_rejected = loader_.rejected_rows();
  stats_.unknown_columns = loader_.unknown_columns();
  for (const auto& [file_id, names] : stats_.unknown_columns) {
    std::string joined;
    for (const auto& name : names) joined += (joined.empty() ? "" : ", ") + name;
    spdlog::warn("projects file {} has columns no alias maps: {} (kept in raw_projects._extra; "
                 "add them under [projects.column_aliases] to give them a column)",
                 file_id, joined);
  }
  outcome.status = status;
  outcome.stats = stats_;
  return outcome;
}

Status ProjectsCollector::CollectFile(int year, const std::string& file_id, RateBudget& budget) {
  const std::string checkpoint_key = "projects.checkpoint." + file_id;
  int64_t next_page = 1;
  SW_ASSIGN_OR_RETURN(auto saved, env_.warehouse.GetState(checkpoint_key));
  if (saved) {
    next_page = std::max<int64_t>(1, std::stoll(*saved));
    spdlog::info("resuming projects file {} ({}) at page {}", year, file_id, next_page);
  }
  std::vector<std::unique_ptr<ProjectsClient>> clients;
  const int in_flight = std::max(1, options_.concurrency);
  for (int index = 0; index < in_flight; ++index) {
    clients.push_back(std::make_unique<ProjectsClient>(std::make_unique<ApiCaller>(
        options_.caller, env_.key, budget, &env_.sink, env_.clock, env_.http_factory())));
  }
  int64_t total_pages = -1;  // unknown until the first answer
  Progress progress("projects " + std::to_string(year), 0);
  while (total_pages < 0 || next_page <= total_pages) {
    int64_t batch = total_pages < 0 ? 1 : std::min<int64_t>(in_flight, total_pages - next_page + 1);
    std::vector<std::future<Result<ApiResponse>>> pages;
    for (int64_t index = 0; index < batch; ++index) {
      ProjectsClient* client = clients[static_cast<size_t>(index)].get();
      int64_t page_no = next_page + index;
      pages.push_back(std::async(std::launch::async, [client, page_no, &file_id, this] {
        return client->Page(file_id, page_no, options_.per_page);
      }));
    }
    // Load every page that arrived (it is landed already, and a reload must
    // rebuild the same rows); the checkpoint advances over unbroken pages.
    Status failure;
    for (auto& future : pages) {
      Result<ApiResponse> response = future.get();
      if (!response.ok()) {
        if (failure.ok()) failure = response.status().WithContext("projects file " + std::to_string(year));
        continue;
      }
      const EnvelopePage& page = response->page;
      total_pages = (page.total_count + options_.per_page - 1) / options_.per_page;
      progress.SetTotal(total_pages);
      SW_RETURN_IF_ERROR(env_.lake.Sync());
      Transaction transaction(env_.warehouse);
      SW_RETURN_IF_ERROR(transaction.Begin());
      SW_ASSIGN_OR_RETURN(
          int64_t loaded,
          loader_.LoadPage(page, year, file_id,
                           LoadStamp{env_.run_id, FormatUtcTimestamp(env_.clock.Now())}));
      if (failure.ok()) ++next_page;
      SW_RETURN_IF_ERROR(env_.warehouse.PutState(checkpoint_key, std::to_string(next_page)));
      SW_RETURN_IF_ERROR(SaveBudgetUsage(env_.warehouse, budget, {ProjectsClient::kOperation}));
      SW_RETURN_IF_ERROR(transaction.Commit());
      stats_.pages += 1;
      stats_.rows_loaded += loaded;
      stats_.rows_per_year[year] += loaded;
      progress.Add(1);
    }
    if (!failure.ok()) return failure;
    if (total_pages == 0) break;
  }
  progress.Finish();
  return env_.warehouse.DeleteState(checkpoint_key);
}

Result<std::map<int, int64_t>> CountProjectsPerYear(Warehouse& warehouse) {
  std::map<int, int64_t> counts;
  SW_RETURN_IF_ERROR(warehouse.Query(
      "SELECT _file_year, COUNT(*) FROM raw_projects GROUP BY _file_year", {},
      [&](const Row& row) {
        counts[std::atoi(ValueToString(row[0]).c_str())] = std::get<int64_t>(row[1]);
        return Status::Ok();
      }));
  return counts;
}

}  // namespace silverwork
