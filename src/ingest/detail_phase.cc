#include "ingest/detail_phase.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <thread>

#include "common/blocking_queue.h"

namespace silverwork {
namespace {

// Give up on the service after this many detail calls in a row failed even
// after their retries: it is down, and hammering it helps no one.
constexpr int kMaxConsecutiveDetailFailures = 20;
constexpr std::chrono::milliseconds kCommitInterval{500};
constexpr int64_t kDetailIdChunk = 5000;

// Postings of [reach, high] (frDd, compact) whose detail is older than their
// list item, and those of [window low, high] that have none.
constexpr const char* kNeedsDetail =
    "frDd >= ? AND frDd <= ? AND (_detail_list_hash <> _list_hash OR "
    "(_detail_list_hash IS NULL AND frDd >= ?))";

bool IsFatalForRun(const Status& status) { return !IsRetryable(status); }

}  // namespace

// Keyset pagination over the postings needing details, newest first, a chunk
// of ids at a time.
class DetailPhase::PostingsNeedingDetail {
 public:
  // Start days (compact): `reach` <= `window_low` <= `high`.
  PostingsNeedingDetail(Warehouse& warehouse, std::string reach, std::string window_low,
                        std::string high)
      : warehouse_(warehouse),
        reach_(std::move(reach)),
        window_low_(std::move(window_low)),
        high_(std::move(high)) {}

  Result<int64_t> Count() {
    std::vector<Value> params{reach_, high_, window_low_};
    SW_ASSIGN_OR_RETURN(
        QueryResult count,
        warehouse_.QueryAll(std::string("SELECT COUNT(*) FROM raw_postings WHERE ") + kNeedsDetail,
                            params));
    return std::get<int64_t>(count.rows.at(0).at(0));
  }

  // The next job id; nullopt when none is left.
  Result<std::optional<std::string>> Next() {
    if (position_ == chunk_.size() && !exhausted_) SW_RETURN_IF_ERROR(LoadChunk());
    if (position_ == chunk_.size()) return std::optional<std::string>();
    return std::optional<std::string>(std::move(chunk_[position_++]));
  }

 private:
  Status LoadChunk() {
    chunk_.clear();
    position_ = 0;
    std::vector<Value> params{reach_, high_, window_low_, cursor_start_, cursor_start_, cursor_id_};
    SW_RETURN_IF_ERROR(warehouse_.Query(
        std::string("SELECT jobId, frDd FROM raw_postings WHERE ") + kNeedsDetail +
            " AND (frDd < ? OR (frDd = ? AND jobId < ?)) ORDER BY frDd DESC, jobId DESC LIMIT " +
            std::to_string(kDetailIdChunk),
        params, [&](const Row& row) {
          chunk_.push_back(std::get<std::string>(row[0]));
          cursor_start_ = std::get<std::string>(row[1]);
          cursor_id_ = chunk_.back();
          return Status::Ok();
        }));
    if (chunk_.size() < static_cast<size_t>(kDetailIdChunk)) exhausted_ = true;
    return Status::Ok();
  }

  Warehouse& warehouse_;
  const std::string reach_, window_low_, high_;
  std::string cursor_start_ = "99999999", cursor_id_;
  std::vector<std::string> chunk_;
  size_t position_ = 0;
  bool exhausted_ = false;
};

// Worker threads that each call getJobInfo on their own client for the ids
// they are given, and hand the answers back in the order they arrive.
class DetailFetchers {
 public:
  struct Answer {
    std::string job_id;
    Result<ApiResponse> response;
  };

  DetailFetchers(size_t workers, size_t capacity, const DetailPhase::ClientFactory& new_client)
      : jobs_(capacity), answers_(capacity + 1) {
    for (size_t index = 0; index < workers; ++index) {
      threads_.emplace_back([this, client = new_client()] { Work(*client); });
    }
  }
  ~DetailFetchers() { Join(); }

  void Fetch(std::string job_id) { jobs_.Push(std::move(job_id)); }
  std::optional<Answer> Take(std::chrono::milliseconds wait) { return answers_.PopFor(wait); }
  // Ids queued but not yet called come back as kCancelled.
  void Cancel() { cancelled_ = true; }
  void Join() {
    jobs_.Close();
    for (auto& thread : threads_)
      if (thread.joinable()) thread.join();
  }

 private:
  void Work(SenuriClient& client) {
    while (std::optional<std::string> job_id = jobs_.Pop()) {
      if (cancelled_.load()) {
        answers_.Push({*job_id, Status(ErrorCode::kCancelled, "run stopping")});
        continue;
      }
      Result<ApiResponse> response = client.Detail(*job_id);
      answers_.Push({std::move(*job_id), std::move(response)});
    }
  }

  BlockingQueue<std::string> jobs_;
  BlockingQueue<Answer> answers_;
  std::atomic<bool> cancelled_{false};
  std::vector<std::thread> threads_;
};

DetailPhase::DetailPhase(const PostingsCollectorOptions& options, Date reach_back,
                         CollectorEnvironment& environment, PostingsLoader& loader,
                         RateBudget& budget, ClientFactory new_client, PostingsCollectStats& stats)
    : options_(options),
      reach_back_(reach_back),
      env_(environment),
      loader_(loader),
      budget_(budget),
      new_client_(std::move(new_client)),
      stats_(stats) {}

DetailPhase::~DetailPhase() = default;

Status DetailPhase::Run() {
  const Date window_low = options_.from.AddDays(-options_.lookback_days);
  needing_detail_ = std::make_unique<PostingsNeedingDetail>(
      env_.warehouse, std::min(reach_back_, window_low).Compact(), window_low.Compact(),
      options_.to.Compact());
  SW_ASSIGN_OR_RETURN(stats_.details_needed, needing_detail_->Count());
  if (stats_.details_needed == 0) return Status::Ok();
  progress_.emplace("details", stats_.details_needed);
  FetchAndCommit();
  Status committed = CommitBatch();
  if (fatal_.ok()) fatal_ = committed;
  progress_->Finish();
  return fatal_;
}

void DetailPhase::FetchAndCommit() {
  const size_t workers = static_cast<size_t>(std::max(1, options_.concurrency));
  // Room for a whole batch beyond the workers' own slack, so the workers keep
  // fetching while this thread syncs the lake and commits the last batch
  // (with only a few jobs queued they went idle for every commit).
  const size_t max_in_flight =
      workers * 4 + static_cast<size_t>(std::max<int64_t>(options_.batch_size, 1));
  fetchers_ = std::make_unique<DetailFetchers>(workers, max_in_flight, new_client_);
  last_commit_ = env_.clock.Monotonic();
  size_t in_flight = 0;
  while (true) {
    in_flight += Feed(max_in_flight - in_flight);
    if (in_flight == 0) break;
    if (std::optional<DetailFetchers::Answer> answer = fetchers_->Take(kCommitInterval)) {
      --in_flight;
      Absorb(std::move(answer->job_id), std::move(answer->response));
    }
    CommitIfDue();
  }
  fetchers_->Join();
}

size_t DetailPhase::Feed(size_t room) {
  size_t queued = 0;
  while (fatal_.ok() && queued < room) {
    Result<std::optional<std::string>> job_id = needing_detail_->Next();
    if (!job_id.ok()) {
      // The calls already queued still finish and are committed.
      RecordFatal(job_id.status());
      break;
    }
    if (!job_id->has_value()) break;
    fetchers_->Fetch(std::move(**job_id));
    ++queued;
  }
  return queued;
}

void DetailPhase::Absorb(std::string job_id, Result<ApiResponse> response) {
  if (response.ok()) {
    consecutive_failures_ = 0;
    batch_.push_back({std::move(job_id), std::move(response->page)});
    return;
  }
  const Status& failure = response.status();
  if (failure.code() == ErrorCode::kCancelled) return;  // the phase is stopping
  if (IsFatalForRun(failure)) return Stop(failure);
  ++stats_.details_failed;
  spdlog::warn("{}", failure.message());
  if (++consecutive_failures_ >= kMaxConsecutiveDetailFailures) {
    Stop(failure.WithContext(std::to_string(consecutive_failures_) +
                             " detail calls in a row failed; stopping"));
  }
}

void DetailPhase::CommitIfDue() {
  bool interval_passed = env_.clock.Monotonic() - last_commit_ >= kCommitInterval;
  if (static_cast<int64_t>(batch_.size()) < options_.batch_size &&
      !(interval_passed && !batch_.empty()))
    return;
  Status committed = CommitBatch();
  last_commit_ = env_.clock.Monotonic();
  if (!committed.ok()) Stop(committed);
}

Status DetailPhase::CommitBatch() {
  if (batch_.empty()) return Status::Ok();
  SW_RETURN_IF_ERROR(env_.lake.Sync());
  Transaction transaction(env_.warehouse);
  SW_RETURN_IF_ERROR(transaction.Begin());
  SW_ASSIGN_OR_RETURN(int64_t loaded,
                      loader_.LoadDetails(batch_, LoadStamp{env_.run_id,
                                                            FormatUtcTimestamp(env_.clock.Now())}));
  SW_RETURN_IF_ERROR(SaveBudgetUsage(
      env_.warehouse, budget_, {SenuriClient::kListOperation, SenuriClient::kDetailOperation}));
  SW_RETURN_IF_ERROR(transaction.Commit());
  stats_.details_loaded += loaded;
  progress_->Add(loaded);
  batch_.clear();
  return Status::Ok();
}

void DetailPhase::RecordFatal(const Status& failure) {
  if (fatal_.ok()) fatal_ = failure;
}

void DetailPhase::Stop(const Status& failure) {
  RecordFatal(failure);
  fetchers_->Cancel();
}

}  // namespace silverwork
