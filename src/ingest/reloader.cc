#include "ingest/reloader.h"

#include <optional>

#include "common/log.h"
#include "http/http_client.h"
#include "ingest/projects_replay.h"
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

constexpr size_t kDetailBatch = 1000;

// Replays lake records, in the order received, through the collectors'
// parsers and loaders. Details are loaded in batches, but never past a record
// of another kind or another run, so the received order is kept. Projects
// documents and pages go to ProjectsReplay, which rebuilds the file registry
// and the replaced-file semantics as the collector applied them.
class LakeReplay {
 public:
  LakeReplay(const ReloadOptions& options, Warehouse& warehouse)
      : loaded_at_(options.loaded_at),
        columns_(options.column_aliases),
        postings_(warehouse),
        projects_(warehouse, columns_, options.project_files, options.loaded_at) {}

  // Empties the projects file registry. REQUIRES: inside the transaction.
  Status Begin() { return projects_.Begin(); }

  Status Apply(const LakeRecord& record) {
    ++stats_.records;
    if (record.dataset == kPostingsDetailDataset) return ApplyDetail(record);
    // Keep the received order: pending details load before anything else.
    SW_RETURN_IF_ERROR(FlushDetails());
    if (record.dataset == kPostingsListDataset) return ApplyListPage(record);
    return projects_.Replay(record);
  }

  Status FlushDetails() {
    if (details_.empty()) return Status::Ok();
    SW_RETURN_IF_ERROR(
        postings_.LoadDetails(details_, LoadStamp{details_run_id_, loaded_at_}).status());
    stats_.details += static_cast<int64_t>(details_.size());
    details_.clear();
    return Status::Ok();
  }

  ReloadStats stats() const {
    ReloadStats stats = stats_;
    stats.project_pages = projects_.pages();
    stats.skipped_errors += projects_.skipped_errors();
    return stats;
  }

 private:
  // The postings page (list or detail) in a record, or nullopt (counted)
  // when the service answered with an error, which the collector then retried.
  std::optional<EnvelopePage> PageOf(const LakeRecord& record) {
    Result<EnvelopePage> page = ParseSenuriXml(record.body, record.http_status, record.request);
    if (!page.ok()) {
      ++stats_.skipped_errors;
      return std::nullopt;
    }
    return std::move(page).value();
  }

  Status ApplyDetail(const LakeRecord& record) {
    std::optional<EnvelopePage> page = PageOf(record);
    if (!page) return Status::Ok();
    if (record.run_id != details_run_id_) SW_RETURN_IF_ERROR(FlushDetails());
    details_run_id_ = record.run_id;
    details_.push_back({QueryParameter(record.request, "id"), std::move(*page)});
    return details_.size() >= kDetailBatch ? FlushDetails() : Status::Ok();
  }

  Status ApplyListPage(const LakeRecord& record) {
    std::optional<EnvelopePage> page = PageOf(record);
    if (!page) return Status::Ok();
    ++stats_.list_pages;
    return postings_.LoadListPage(*page, LoadStamp{record.run_id, loaded_at_}).status();
  }

  const std::string loaded_at_;
  ProjectColumnMap columns_;
  PostingsLoader postings_;
  ProjectsReplay projects_;
  std::vector<DetailResult> details_;
  std::string details_run_id_;
  ReloadStats stats_;
};

}  // namespace

Result<ReloadStats> ReloadFromLake(const ReloadOptions& options, Warehouse& warehouse) {
  SW_RETURN_IF_ERROR(EnsureRawTables(warehouse));
  Transaction transaction(warehouse);
  SW_RETURN_IF_ERROR(transaction.Begin());
  SW_RETURN_IF_ERROR(warehouse.Execute("DELETE FROM raw_postings; DELETE FROM raw_projects"));

  LakeReplay replay(options, warehouse);
  SW_RETURN_IF_ERROR(replay.Begin());
  Progress progress("reload", 0);
  LakeStats lake_stats;
  SW_RETURN_IF_ERROR(LakeReader(options.lake_root)
                         .ForEach({std::string(kPostingsListDataset),
                                   std::string(kPostingsDetailDataset),
                                   std::string(kProjectsDataset),
                                   std::string(kProjectsDocumentDataset)},
                                  [&](const LakeRecord& record) {
                                    progress.Add(1);
                                    return replay.Apply(record);
                                  },
                                  &lake_stats));
  SW_RETURN_IF_ERROR(replay.FlushDetails());
  SW_RETURN_IF_ERROR(transaction.Commit());
  progress.Finish();

  ReloadStats stats = replay.stats();
  stats.skipped_torn = lake_stats.skipped_torn;
  return stats;
}

}  // namespace silverwork
