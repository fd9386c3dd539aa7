#include "ingest/projects_collector.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <future>
#include <nlohmann/json.hpp>

#include "common/log.h"

namespace silverwork {
namespace {

// A round reads every planned file once. A round cut short by the quota
// resumes with the files it had not finished, so a round spans several runs.
constexpr const char* kRoundKey = "projects.pass.finished";

std::string CheckpointKey(const std::string& file_id) { return "projects.checkpoint." + file_id; }

std::string Joined(const std::vector<std::string>& items) {
  std::string joined;
  for (const auto& item : items) joined += (joined.empty() ? "" : ", ") + item;
  return joined;
}

}  // namespace

ProjectsCollector::ProjectsCollector(ProjectsCollectorOptions options,
                                     CollectorEnvironment& environment)
    : options_(std::move(options)),
      env_(environment),
      columns_(options_.column_aliases),
      writer_(environment.warehouse, columns_, options_.files),
      budget_(options_.budget, environment.clock) {}

ProjectsOutcome ProjectsCollector::Run() {
  int64_t calls_before = 0;
  Status status = Prepare();
  if (status.ok()) {
    calls_before = budget_.UsedToday(std::string(ProjectsClient::kOperation));
    auto plan = PlanFiles();
    status = plan.ok() ? CollectAll(*plan) : plan.status();
  }
  stats_.calls = budget_.UsedToday(std::string(ProjectsClient::kOperation)) - calls_before;
  stats_.rows_rejected = writer_.rejected_rows();
  stats_.unknown_columns = writer_.unknown_columns();
  for (const auto& [file_id, names] : stats_.unknown_columns) {
    spdlog::warn(
        "projects file {} has columns no alias maps: {} (kept in raw_projects._extra; "
        "add them under [projects.column_aliases] to give them a column)",
        file_id, Joined({names.begin(), names.end()}));
  }
  return ProjectsOutcome{status, stats_};
}

Status ProjectsCollector::Prepare() {
  SW_RETURN_IF_ERROR(writer_.Open());
  return LoadBudgetUsage(env_.warehouse, budget_, {ProjectsClient::kOperation});
}

void ProjectsCollector::Notice(std::string text) {
  spdlog::warn("{}", text);
  stats_.notices.push_back(std::move(text));
}

std::string ProjectsCollector::Describe(const PlannedFile& file) const {
  auto known = writer_.files().find(file.file_id);
  if (known != writer_.files().end() && !known->second.summary.empty())
    return fmt::format("projects file {} ({})", file.file_id, known->second.summary);
  if (file.pinned_year)
    return fmt::format("projects file {} (pinned as {})", file.file_id, *file.pinned_year);
  return "projects file " + file.file_id;
}

Result<std::vector<ProjectsCollector::PlannedFile>> ProjectsCollector::PlanFiles() {
  std::vector<PlannedFile> pinned;
  for (const auto& [year, file_id] : options_.files) pinned.push_back({file_id, year});
  if (options_.openapi_url.empty()) {
    if (!pinned.empty()) return pinned;
    return Status(ErrorCode::kInvalidInput,
                  "no projects files to collect: [projects] openapi_url is empty and "
                  "[projects.files] pins none",
                  "set openapi_url to the dataset's OpenAPI document (" +
                      std::string(kProjectsDocumentUrl) + ") or pin files under [projects.files]");
  }
  auto fetched = FetchProjectsDocument(options_.openapi_url, options_.caller, budget_, &env_.sink,
                                       env_.clock, env_.http_factory());
  if (!fetched.ok()) {
    if (pinned.empty()) return fetched.status();
    Notice(fetched.status().message() + "; collecting the " + std::to_string(pinned.size()) +
           " pinned files of [projects.files] without it");
    return pinned;
  }
  SW_RETURN_IF_ERROR(RecordListing(*fetched));
  if (!pinned.empty()) return pinned;
  std::vector<PlannedFile> listed;
  for (const auto& file : fetched->document.files) listed.push_back({file.file_id, std::nullopt});
  return listed;
}

// Records the document in the registry and says what the user should know
// about it: withdrawn files, and with pins the files either side leaves out.
Status ProjectsCollector::RecordListing(const FetchedProjectsDocument& fetched) {
  const ProjectsDocument& document = fetched.document;
  Transaction transaction(env_.warehouse);
  SW_RETURN_IF_ERROR(transaction.Begin());
  SW_ASSIGN_OR_RETURN(stats_.listing, writer_.RecordDocument(document, fetched.fetched_at));
  for (const ListingDiff& diff : stats_.listing) {
    // A new edition is read from its first page, not from an old checkpoint.
    if (diff.change == ListingChange::kRedated || diff.change == ListingChange::kRelisted)
      SW_RETURN_IF_ERROR(env_.warehouse.DeleteState(CheckpointKey(diff.file_id)));
  }
  SW_RETURN_IF_ERROR(transaction.Commit());

  for (const ListingDiff& diff : stats_.listing) {
    if (diff.change == ListingChange::kWithdrawn) {
      Notice(
          fmt::format("projects file {} ({}) is no longer listed in the OpenAPI document; its "
                      "{} rows are kept, marked as no longer published",
                      diff.file_id, diff.summary, diff.rows));
    }
  }
  if (!document.base_path.empty() &&
      !std::string(ProjectsClient::kDatasetPath).starts_with(document.base_path + "/")) {
    Notice(
        fmt::format("the OpenAPI document's basePath is {}, not the {} silverwork reads; the "
                    "dataset may have moved",
                    document.base_path, ProjectsClient::kDatasetPath));
  }
  PinCoverage pins = ComparePins(document, options_.files);
  if (!pins.unpinned.empty()) {
    Notice(
        "the OpenAPI document lists files [projects.files] does not pin, so they are not "
        "collected: " +
        Joined(pins.unpinned) + "; pin them, or remove the pins to collect every file");
  }
  if (!pins.unlisted.empty()) {
    Notice("pinned files the OpenAPI document does not list (the portal may answer 404): " +
           Joined(pins.unlisted));
  }
  return Status::Ok();
}

Status ProjectsCollector::CollectAll(const std::vector<PlannedFile>& plan) {
  std::set<std::string> finished;
  SW_ASSIGN_OR_RETURN(auto saved, env_.warehouse.GetState(kRoundKey));
  if (saved) {
    auto json = nlohmann::json::parse(*saved, nullptr, false);
    if (json.is_array())
      for (const auto& file_id : json) finished.insert(file_id.get<std::string>());
  }
  for (const ListingDiff& diff : stats_.listing) {
    // A new edition is read in this round even if the old one was.
    if (diff.change == ListingChange::kRedated || diff.change == ListingChange::kRelisted)
      finished.erase(diff.file_id);
  }
  for (const PlannedFile& file : plan) {
    if (finished.contains(file.file_id)) {
      spdlog::info("{} was finished earlier in this round", Describe(file));
      continue;
    }
    Status collected = CollectFile(file);
    if (collected.IsNotFound()) {
      // This file alone is gone; the others are still collected.
      spdlog::error("{}", collected.ToString());
      stats_.failed_files.push_back(collected);
      Transaction transaction(env_.warehouse);
      SW_RETURN_IF_ERROR(transaction.Begin());
      SW_RETURN_IF_ERROR(writer_.MarkUnpublished(file.file_id));
      SW_RETURN_IF_ERROR(transaction.Commit());
    } else if (!collected.ok()) {
      return collected;
    }
    finished.insert(file.file_id);
    SW_RETURN_IF_ERROR(env_.warehouse.PutState(kRoundKey, nlohmann::json(finished).dump()));
  }
  SW_RETURN_IF_ERROR(env_.warehouse.DeleteState(kRoundKey));
  if (stats_.failed_files.empty()) return Status::Ok();
  const Status& first = stats_.failed_files.front();
  return Status(first.code(),
                fmt::format("{} of {} projects files failed (the others were collected): {}",
                            stats_.failed_files.size(), plan.size(), first.message()),
                first.hint());
}

Status ProjectsCollector::CollectFile(const PlannedFile& file) {
  const std::string& file_id = file.file_id;
  const std::string checkpoint_key = CheckpointKey(file_id);
  int64_t next_page = 1;
  SW_ASSIGN_OR_RETURN(auto saved, env_.warehouse.GetState(checkpoint_key));
  if (saved) {
    next_page = std::max<int64_t>(1, std::stoll(*saved));
    spdlog::info("resuming {} at page {}", Describe(file), next_page);
  }
  std::vector<std::unique_ptr<ProjectsClient>> clients;
  const int in_flight = std::max(1, options_.concurrency);
  for (int index = 0; index < in_flight; ++index) {
    clients.push_back(std::make_unique<ProjectsClient>(std::make_unique<ApiCaller>(
        options_.caller, env_.key, budget_, &env_.sink, env_.clock, env_.http_factory())));
  }
  int64_t total_pages = -1;  // unknown until the first answer
  Progress progress(
      "projects " + (file.pinned_year ? std::to_string(*file.pinned_year) : file_id.substr(0, 8)),
      0);
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
        if (failure.ok()) failure = response.status();
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
          writer_.LoadPage(file_id, page,
                           LoadStamp{env_.run_id, FormatUtcTimestamp(env_.clock.Now())}));
      if (failure.ok()) ++next_page;
      SW_RETURN_IF_ERROR(env_.warehouse.PutState(checkpoint_key, std::to_string(next_page)));
      SW_RETURN_IF_ERROR(SaveBudgetUsage(env_.warehouse, budget_, {ProjectsClient::kOperation}));
      SW_RETURN_IF_ERROR(transaction.Commit());
      stats_.pages += 1;
      stats_.rows_loaded += loaded;
      progress.Add(1);
    }
    if (failure.IsNotFound()) {
      return Status(ErrorCode::kNotFound,
                    Describe(file) + " is not published (any more): " + failure.message(),
                    "the dataset's OpenAPI document " + options_.openapi_url +
                        " lists the files published now: remove or replace this file's pin in "
                        "[projects.files]");
    }
    if (!failure.ok()) return failure.WithContext(Describe(file));
    if (total_pages == 0) break;
  }
  progress.Finish();
  return CompleteFile(file_id, checkpoint_key);
}

Status ProjectsCollector::CompleteFile(const std::string& file_id,
                                       const std::string& checkpoint_key) {
  Transaction transaction(env_.warehouse);
  SW_RETURN_IF_ERROR(transaction.Begin());
  SW_ASSIGN_OR_RETURN(CompletedProjectsFile completed, writer_.CompleteFile(file_id, env_.run_id));
  SW_RETURN_IF_ERROR(env_.warehouse.DeleteState(checkpoint_key));
  SW_RETURN_IF_ERROR(transaction.Commit());
  const ProjectFileRecord& record = completed.record;
  if (completed.rows_changed || completed.rows_replaced > 0) {
    spdlog::info("projects file {} changed: {} rows now, {} older rows replaced", file_id,
                 record.row_count, completed.rows_replaced);
  }
  for (std::string& notice : YearNotices(completed)) Notice(std::move(notice));
  stats_.files += 1;
  if (record.file_year) stats_.rows_per_year[*record.file_year] += record.row_count;
  stats_.completed.push_back(std::move(completed));
  return Status::Ok();
}

std::vector<std::string> ProjectsCollectStats::ReportLines() const {
  std::vector<std::string> lines;
  for (const ListingDiff& diff : listing) {
    if (diff.change == ListingChange::kUnchanged) continue;
    lines.push_back(
        fmt::format("{} file {}: {}", ListingChangeName(diff.change), diff.file_id, diff.summary));
  }
  for (const CompletedProjectsFile& file : completed) {
    if (!file.rows_changed) continue;
    lines.push_back(fmt::format("rows changed in file {}: {} rows now, {} older rows replaced",
                                file.record.file_id, file.record.row_count, file.rows_replaced));
  }
  for (const Status& failure : failed_files) lines.push_back("failed: " + failure.message());
  lines.insert(lines.end(), notices.begin(), notices.end());
  return lines;
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
