#include "ingest/postings_collector.h"

#include <spdlog/spdlog.h>

#include <deque>
#include <future>
#include <nlohmann/json.hpp>

#include "common/log.h"
#include "ingest/detail_phase.h"

namespace silverwork {
namespace {

// The oldest start day among postings held open: 접수중 whatever their toDd
// (the portal's status may lag behind it), and 마감 ones whose toDd is not
// yet past (closed early; until their toDd they may still change). Both
// halves are ranges of the raw_postings_status index (deadline, toDd, frDd),
// which covers them: no table row is read.
constexpr const char* kOldestHeldOpenSql =
    "SELECT MIN(frDd) FROM ("
    " SELECT MIN(frDd) AS frDd FROM raw_postings WHERE deadline = '접수중' AND frDd >= ?"
    " UNION ALL"
    " SELECT MIN(frDd) FROM raw_postings WHERE deadline = '마감' AND toDd >= ? AND frDd >= ?"
    ") AS held_open";

}  // namespace

struct PostingsCollector::Checkpoint {
  std::string phase = "list";  // "list" or "details"
  int64_t next_page = 1;
  int64_t rows_per_page = 0;
  std::optional<Date> reach_back;  // fixed by the run that started the window
};

PostingsCollector::PostingsCollector(PostingsCollectorOptions options,
                                     CollectorEnvironment& environment)
    : options_(std::move(options)), env_(environment), loader_(environment.warehouse) {}

std::string PostingsCollector::CheckpointKey() const {
  return "postings.checkpoint." + options_.from.Iso() + "." + options_.to.Iso();
}

LoadStamp PostingsCollector::Stamp() const {
  return LoadStamp{env_.run_id, FormatUtcTimestamp(env_.clock.Now())};
}

std::unique_ptr<SenuriClient> PostingsCollector::NewClient(RateBudget& budget) {
  return std::make_unique<SenuriClient>(std::make_unique<ApiCaller>(
      options_.caller, env_.key, budget, &env_.sink, env_.clock, env_.http_factory()));
}

Status PostingsCollector::SaveCheckpoint(const Checkpoint& checkpoint, RateBudget& budget) {
  nlohmann::json json = {{"phase", checkpoint.phase},
                         {"next_page", checkpoint.next_page},
                         {"rows_per_page", checkpoint.rows_per_page},
                         {"reach_back", checkpoint.reach_back ? checkpoint.reach_back->Iso() : ""},
                         {"run_id", env_.run_id}};
  SW_RETURN_IF_ERROR(env_.warehouse.PutState(CheckpointKey(), json.dump()));
  return SaveBudgetUsage(env_.warehouse, budget,
                         {SenuriClient::kListOperation, SenuriClient::kDetailOperation});
}

Status PostingsCollector::LoadCheckpoint(Checkpoint& checkpoint) {
  checkpoint.rows_per_page = options_.rows_per_page;
  SW_ASSIGN_OR_RETURN(auto saved, env_.warehouse.GetState(CheckpointKey()));
  if (saved.has_value()) {
    auto json = nlohmann::json::parse(*saved, nullptr, false);
    if (!json.is_discarded() && json.value("rows_per_page", int64_t{0}) == options_.rows_per_page) {
      checkpoint.phase = json.value("phase", std::string("list"));
      checkpoint.next_page = json.value("next_page", int64_t{1});
      if (auto day = Date::Parse(json.value("reach_back", std::string())); day.ok()) {
        checkpoint.reach_back = *day;
      }
      stats_.resumed = true;
      spdlog::info(
          "resuming postings {}..{} from the {} phase{}", options_.from.Iso(), options_.to.Iso(),
          checkpoint.phase,
          checkpoint.phase == "list" ? " at page " + std::to_string(checkpoint.next_page) : "");
    }
  }
  if (!checkpoint.reach_back) {
    SW_ASSIGN_OR_RETURN(checkpoint.reach_back, ReachBack());
  }
  stats_.reach_back = *checkpoint.reach_back;
  return Status::Ok();
}

Result<std::optional<Date>> PostingsCollector::OldestHeldOpen() {
  const Date today = Date::KoreaDay(env_.clock.Now());
  const std::string bound = today.AddDays(-options_.max_reach_back_days).Compact();
  std::vector<Value> params{bound, today.Compact(), bound};
  SW_ASSIGN_OR_RETURN(QueryResult oldest, env_.warehouse.QueryAll(kOldestHeldOpenSql, params));
  const Value& value = oldest.rows.at(0).at(0);
  if (IsNull(value)) return std::optional<Date>();
  auto day = Date::Parse(ValueToString(value));
  if (!day.ok()) {
    spdlog::warn(
        "a posting held open starts on '{}', not a day; the list reaches back to the "
        "window only",
        ValueToString(value));
    return std::optional<Date>();
  }
  return std::optional<Date>(*day);
}

Result<Date> PostingsCollector::ReachBack() {
  const Date window_reach = options_.from.AddDays(-options_.lookback_days);
  SW_ASSIGN_OR_RETURN(std::optional<Date> held_open, OldestHeldOpen());
  if (!held_open || *held_open >= window_reach) return window_reach;
  spdlog::info(
      "the list reaches back to {}, the oldest posting still held open ({} days before "
      "the window)",
      held_open->Iso(), held_open->DaysUntil(options_.from));
  return *held_open;
}

RateBudgetOptions PostingsCollector::BudgetOptions() const {
  RateBudgetOptions budget = options_.budget;
  const bool backfill = options_.to < Date::KoreaDay(env_.clock.Now()).AddDays(-1);
  if (backfill && budget.calls_per_day > 0 && options_.reserved_calls_per_day > 0) {
    budget.calls_per_day =
        std::max<int64_t>(1, budget.calls_per_day - options_.reserved_calls_per_day);
  }
  return budget;
}

CollectOutcome PostingsCollector::Run() {
  CollectOutcome outcome;
  auto finish = [&](Status status) {
    outcome.status = std::move(status);
    outcome.stats = stats_;
    return outcome;
  };
  if (options_.to < options_.from) {
    return finish(Status(ErrorCode::kInvalidInput,
                         "the window ends (" + options_.to.Iso() + ") before it starts (" +
                             options_.from.Iso() + ")",
                         "give --from before --to"));
  }
  Status ensured = EnsureRawTables(env_.warehouse);
  if (!ensured.ok()) return finish(ensured);

  const RateBudgetOptions budget_options = BudgetOptions();
  RateBudget budget(budget_options, env_.clock);
  Status loaded = LoadBudgetUsage(env_.warehouse, budget,
                                  {SenuriClient::kListOperation, SenuriClient::kDetailOperation});
  if (!loaded.ok()) return finish(loaded);
  int64_t calls_before = budget.UsedToday(std::string(SenuriClient::kListOperation)) +
                         budget.UsedToday(std::string(SenuriClient::kDetailOperation));
  auto count_calls = [&] {
    stats_.calls = budget.UsedToday(std::string(SenuriClient::kListOperation)) +
                   budget.UsedToday(std::string(SenuriClient::kDetailOperation)) - calls_before;
  };

  Checkpoint checkpoint;
  Status status = LoadCheckpoint(checkpoint);
  if (!status.ok()) return finish(status);
  auto seconds_since = [this](std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(env_.clock.Monotonic() - start).count();
  };
  auto list_start = env_.clock.Monotonic();
  if (checkpoint.phase == "list") status = ListPhase(budget, checkpoint);
  stats_.list_seconds = seconds_since(list_start);
  auto detail_start = env_.clock.Monotonic();
  if (status.ok() && !options_.skip_details) {
    status = DetailPhase(
                 options_, *checkpoint.reach_back, env_, loader_, budget,
                 [&] { return NewClient(budget); }, stats_)
                 .Run();
  }
  stats_.detail_seconds = seconds_since(detail_start);
  count_calls();
  Status counted = CountWindow();
  if (status.ok()) status = counted;
  if (status.IsQuotaExhausted() && budget_options.calls_per_day != options_.budget.calls_per_day) {
    status =
        Status(status.code(), status.message(),
               "this backfill left the last " + std::to_string(options_.reserved_calls_per_day) +
                   " calls of the day to today's collections ([postings] "
                   "reserved_calls_per_day); " +
                   status.hint());
  }
  if (status.ok() && stats_.details_failed > 0) {
    status = Status(
        ErrorCode::kRemote,
        std::to_string(stats_.details_failed) + " detail calls still failed after their retries",
        "everything else is saved; run the same command again to fetch them");
  }
  if (status.ok()) {
    Status cleared = env_.warehouse.DeleteState(CheckpointKey());
    if (!cleared.ok()) return finish(cleared);
  }
  return finish(status);
}

Status PostingsCollector::ListPhase(RateBudget& budget, Checkpoint& checkpoint) {
  const std::string cutoff = checkpoint.reach_back->Compact();
  const int in_flight = std::max(1, options_.list_concurrency);
  std::vector<std::unique_ptr<SenuriClient>> clients;
  for (int index = 0; index < in_flight; ++index) clients.push_back(NewClient(budget));

  Progress progress("list pages", 0);
  // Keep `in_flight` pages on the way while loading them in page order (the
  // real list is slow): the next fetch starts as soon as a page is taken,
  // not after a whole round of pages was loaded.
  std::deque<std::future<Result<ApiResponse>>> pages;
  int64_t next_to_fetch = checkpoint.next_page;
  auto fetch_next = [&] {
    int64_t page_no = next_to_fetch++;
    SenuriClient* client = clients[static_cast<size_t>(page_no % in_flight)].get();
    pages.push_back(std::async(std::launch::async, [client, page_no, this] {
      return client->ListPage(page_no, options_.rows_per_page);
    }));
  };
  for (int index = 0; index < in_flight; ++index) fetch_next();
  // Every page that arrived is loaded, even past the end of the window or
  // after a failed page: it is landed already, and a reload from the lake
  // must rebuild exactly what was loaded. The checkpoint only advances over
  // an unbroken run of pages, and no page is fetched after the end or a
  // failure.
  bool done = false;
  Status failure;
  while (!pages.empty()) {
    Result<ApiResponse> response = pages.front().get();
    pages.pop_front();
    if (!response.ok()) {
      if (failure.ok()) failure = response.status();
      continue;
    }
    const EnvelopePage& page = response->page;
    std::string oldest = "99999999";
    for (const auto& item : page.items) {
      const std::string* start = FindField(item, "frDd");
      if (start != nullptr && !start->empty() && *start < oldest) oldest = *start;
    }
    if (page.num_of_rows > 0 && page.num_of_rows < options_.rows_per_page &&
        static_cast<int64_t>(page.items.size()) < options_.rows_per_page &&
        page.page_no * page.num_of_rows < page.total_count) {
      // Paging with our page size would skip rows the service did not send.
      return Status(
          ErrorCode::kInvalidInput,
          "getJobList returned " + std::to_string(page.num_of_rows) + " rows per page where " +
              std::to_string(options_.rows_per_page) + " were asked",
          "set [postings] rows_per_page = " + std::to_string(page.num_of_rows) + " in the config");
    }
    bool contiguous = failure.ok() && !done;
    bool past_end = page.items.empty() || page.page_no * options_.rows_per_page >= page.total_count;
    if (contiguous && (past_end || oldest < cutoff)) done = true;
    if (failure.ok() && !done) fetch_next();
    SW_RETURN_IF_ERROR(env_.lake.Sync());
    Transaction transaction(env_.warehouse);
    SW_RETURN_IF_ERROR(transaction.Begin());
    SW_ASSIGN_OR_RETURN(int64_t loaded, loader_.LoadListPage(page, Stamp()));
    if (contiguous) checkpoint.next_page += 1;
    SW_RETURN_IF_ERROR(SaveCheckpoint(checkpoint, budget));
    SW_RETURN_IF_ERROR(transaction.Commit());
    stats_.list_pages += 1;
    stats_.postings_listed += loaded;
    progress.Add(1);
  }
  if (!failure.ok()) return failure;
  progress.Finish();
  checkpoint.phase = "details";
  Transaction transaction(env_.warehouse);
  SW_RETURN_IF_ERROR(transaction.Begin());
  SW_RETURN_IF_ERROR(SaveCheckpoint(checkpoint, budget));
  return transaction.Commit();
}

Status PostingsCollector::CountWindow() {
  std::vector<Value> params{options_.from.Compact(), options_.to.Compact()};
  SW_ASSIGN_OR_RETURN(
      QueryResult count,
      env_.warehouse.QueryAll("SELECT COUNT(*) FROM raw_postings WHERE frDd >= ? AND frDd <= ?",
                              params));
  stats_.postings_in_window = std::get<int64_t>(count.rows.at(0).at(0));
  return Status::Ok();
}

}  // namespace silverwork
