#include "ingest/reloader.h"

#include <optional>
#include <thread>

#include "common/blocking_queue.h"
#include "common/log.h"
#include "http/http_client.h"
#include "ingest/postings_replay.h"
#include "ingest/projects_replay.h"
#include "ingest/raw_tables.h"
#include "sources/datagokr_client.h"

namespace silverwork {
namespace {

// The value of `name` in a request's query string, percent-decoded.
std::string QueryParameter(std::string_view request, std::string_view name) {
  size_t query = request.find('?');
  if (query == std::string_view::npos) return {};
  std::string_view rest = request.substr(query + 1);
  while (!rest.empty()) {
    size_t end = rest.find('&');
    std::string_view pair = rest.substr(0, end);
    size_t equals = pair.find('=');
    if (equals != std::string_view::npos && pair.substr(0, equals) == name)
      return PercentDecode(pair.substr(equals + 1));
    if (end == std::string_view::npos) break;
    rest.remove_prefix(end + 1);
  }
  return {};
}

// A lake record and, for a postings or projects page, its body parsed:
// parsing happens on the reading thread, loading on the replaying one.
struct ParsedRecord {
  LakeRecord record;                         // without the body when `page` is set
  std::optional<Result<EnvelopePage>> page;  // unset for projects documents
};

// What the reading thread hands over at a time: enough records to make the
// queue's locking cheap, few enough bytes to keep memory bounded.
using ParsedBatch = std::vector<ParsedRecord>;
constexpr size_t kReadAheadBatchRecords = 512;
constexpr size_t kReadAheadBatchBytes = size_t{8} << 20;
constexpr size_t kReadAheadBatches = 4;

// The record without its body once the body is parsed: the replay needs
// only the parsed page then.
ParsedRecord ParseRecord(const LakeRecord& record) {
  std::optional<Result<EnvelopePage>> page;
  if (record.dataset == kPostingsListDataset || record.dataset == kPostingsDetailDataset) {
    page = ParseSenuriXml(record.body, record.http_status, record.request);
  } else if (record.dataset == kProjectsDataset) {
    page = ProjectsReplay::ParsePage(record);
  } else {
    return {record, std::nullopt};
  }
  return {LakeRecord{.dataset = record.dataset,
                     .run_id = record.run_id,
                     .seq = record.seq,
                     .request = record.request,
                     .http_status = record.http_status,
                     .fetched_at = record.fetched_at},
          std::move(page)};
}

// Reads and parses the lake on a thread of its own, in the order received,
// a few batches ahead of the replay (two cores: one parses while the other
// writes). Destroying it stops and joins the thread. The queue is its only
// shared state.
class LakeReadAhead {
 public:
  LakeReadAhead(std::string lake_root, std::vector<std::string> datasets)
      : queue_(kReadAheadBatches),
        thread_([this, root = std::move(lake_root), datasets = std::move(datasets)] {
          Read(root, datasets);
        }) {}
  LakeReadAhead(const LakeReadAhead&) = delete;
  LakeReadAhead& operator=(const LakeReadAhead&) = delete;
  ~LakeReadAhead() {
    queue_.Close();  // a replay that failed stops the reading too
    if (thread_.joinable()) thread_.join();
  }

  // The next batch, or nullopt once the lake is read (then see Finish()).
  std::optional<ParsedBatch> Next() { return queue_.Pop(); }

  // How the reading ended. REQUIRES: Next() returned nullopt.
  Status Finish(LakeStats* stats) {
    if (thread_.joinable()) thread_.join();
    if (stats != nullptr) *stats = stats_;
    return status_;
  }

 private:
  void Read(const std::string& root, const std::vector<std::string>& datasets) {
    ParsedBatch batch;
    size_t batch_bytes = 0;
    auto hand_over = [&] {
      bool taken = queue_.Push(std::move(batch));
      batch = {};
      batch_bytes = 0;
      return taken ? Status::Ok() : Status(ErrorCode::kCancelled, "reload stopped");
    };
    status_ = LakeReader(root).ForEach(
        datasets,
        [&](const LakeRecord& record) {
          batch_bytes += record.body.size();
          batch.push_back(ParseRecord(record));
          if (batch.size() < kReadAheadBatchRecords && batch_bytes < kReadAheadBatchBytes)
            return Status::Ok();
          return hand_over();
        },
        &stats_);
    if (status_.ok() && !batch.empty()) status_ = hand_over();
    queue_.Close();
  }

  BlockingQueue<ParsedBatch> queue_;
  Status status_;    // written by the thread before it closes the queue
  LakeStats stats_;  // likewise
  std::thread thread_;
};

// Replays lake records, in the order received: postings list pages and
// details go to PostingsReplay, which writes the rows the collectors'
// loaders would have left, each posting's once where it can. Projects
// documents and pages go to ProjectsReplay, which rebuilds the file registry
// and the replaced-file semantics as the collector applied them. The two
// write different tables; a projects record first ends the postings'
// stream of new rows, which holds the connection while it is open.
class LakeReplay {
 public:
  LakeReplay(const ReloadOptions& options, Warehouse& warehouse)
      : columns_(options.column_aliases),
        postings_(warehouse, options.loaded_at, options.held_list_bytes, options.max_tracked_ids),
        projects_(warehouse, columns_, options.project_files, options.loaded_at) {}

  // Empties the projects file registry. REQUIRES: inside the transaction.
  Status Begin() { return projects_.Begin(); }

  Status Apply(ParsedRecord& parsed) {
    ++stats_.records;
    const LakeRecord& record = parsed.record;
    if (record.dataset == kPostingsDetailDataset) return ApplyDetail(parsed);
    if (record.dataset == kPostingsListDataset) return ApplyListPage(parsed);
    // The postings' stream of new rows holds the connection until it ends.
    SW_RETURN_IF_ERROR(postings_.FinishStream());
    if (record.dataset == kProjectsDataset) return projects_.ReplayPage(record, *parsed.page);
    return projects_.Replay(record);
  }

  // Writes the postings rows still held. Call after the last record.
  Status Finish() { return postings_.Flush(); }

  ReloadStats stats() const {
    ReloadStats stats = stats_;
    stats.details = postings_.details();
    stats.postings_written_once = postings_.merged_rows();
    stats.postings_appended = postings_.appended_rows();
    stats.project_pages = projects_.pages();
    stats.skipped_errors += projects_.skipped_errors();
    return stats;
  }

 private:
  // The postings page (list or detail) of a record, or nullptr (counted)
  // when the service answered with an error, which the collector then retried.
  EnvelopePage* PageOf(ParsedRecord& parsed) {
    if (!parsed.page->ok()) {
      ++stats_.skipped_errors;
      return nullptr;
    }
    return &parsed.page->value();
  }

  Status ApplyDetail(ParsedRecord& parsed) {
    EnvelopePage* page = PageOf(parsed);
    if (page == nullptr) return Status::Ok();
    const LakeRecord& record = parsed.record;
    return postings_.ApplyDetail({QueryParameter(record.request, "id"), std::move(*page)},
                                 record.run_id);
  }

  Status ApplyListPage(ParsedRecord& parsed) {
    EnvelopePage* page = PageOf(parsed);
    if (page == nullptr) return Status::Ok();
    ++stats_.list_pages;
    return postings_.ApplyListPage(*page, parsed.record.run_id);
  }

  ProjectColumnMap columns_;
  PostingsReplay postings_;
  ProjectsReplay projects_;
  ReloadStats stats_;
};

}  // namespace

Result<ReloadStats> ReloadFromLake(const ReloadOptions& options, Warehouse& warehouse) {
  SW_RETURN_IF_ERROR(EnsureRawTables(warehouse));
  Transaction transaction(warehouse);
  SW_RETURN_IF_ERROR(transaction.Begin());
  LakeReplay replay(options, warehouse);
  SW_RETURN_IF_ERROR(replay.Begin());
  // After Begin, which ensures the raw tables (and so their indexes) again.
  SW_RETURN_IF_ERROR(EmptyRawTablesForReload(warehouse));
  Progress progress("reload", 0);
  LakeStats lake_stats;
  LakeReadAhead reading(options.lake_root,
                        {std::string(kPostingsListDataset), std::string(kPostingsDetailDataset),
                         std::string(kProjectsDataset), std::string(kProjectsDocumentDataset)});
  while (std::optional<ParsedBatch> batch = reading.Next()) {
    for (ParsedRecord& parsed : *batch) SW_RETURN_IF_ERROR(replay.Apply(parsed));
    progress.Add(static_cast<int64_t>(batch->size()));
  }
  SW_RETURN_IF_ERROR(reading.Finish(&lake_stats));
  SW_RETURN_IF_ERROR(replay.Finish());
  SW_RETURN_IF_ERROR(RecreateRawIndexes(warehouse));
  SW_RETURN_IF_ERROR(transaction.Commit());
  progress.Finish();

  ReloadStats stats = replay.stats();
  stats.skipped_torn = lake_stats.skipped_torn;
  return stats;
}

}  // namespace silverwork
