#include "ingest/reloader.h"

#include <spdlog/spdlog.h>

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

}  // namespace

Result<ReloadStats> ReloadFromLake(const ReloadOptions& options, Warehouse& warehouse) {
  ReloadStats stats;
  ProjectColumnMap columns(options.column_aliases);
  PostingsLoader postings(warehouse);
  ProjectsReplay projects(warehouse, columns, options.project_files, options.loaded_at);

  SW_RETURN_IF_ERROR(EnsureRawTables(warehouse));
  Transaction transaction(warehouse);
  SW_RETURN_IF_ERROR(transaction.Begin());
  SW_RETURN_IF_ERROR(warehouse.Execute("DELETE FROM raw_postings; DELETE FROM raw_projects"));
  SW_RETURN_IF_ERROR(projects.Begin());

  std::vector<DetailResult> details;
  std::string details_run_id;
  auto flush_details = [&]() -> Status {
    if (details.empty()) return Status::Ok();
    SW_RETURN_IF_ERROR(
        postings.LoadDetails(details, LoadStamp{details_run_id, options.loaded_at}).status());
    stats.details += static_cast<int64_t>(details.size());
    details.clear();
    return Status::Ok();
  };

  Progress progress("reload", 0);
  LakeReader reader(options.lake_root);
  LakeStats lake_stats;
  SW_RETURN_IF_ERROR(reader.ForEach(
      {std::string(kPostingsListDataset), std::string(kPostingsDetailDataset),
       std::string(kProjectsDataset), std::string(kProjectsDocumentDataset)},
      [&](const LakeRecord& record) -> Status {
        ++stats.records;
        progress.Add(1);
        LoadStamp stamp{record.run_id, options.loaded_at};
        if (record.dataset == kPostingsDetailDataset) {
          Result<EnvelopePage> page =
              ParseSenuriXml(record.body, record.http_status, record.request);
          if (!page.ok()) {
            ++stats.skipped_errors;
            return Status::Ok();
          }
          if (record.run_id != details_run_id) SW_RETURN_IF_ERROR(flush_details());
          details_run_id = record.run_id;
          details.push_back({QueryParameter(record.request, "id"), std::move(page).value()});
          if (details.size() >= kDetailBatch) return flush_details();
          return Status::Ok();
        }
        // Keep the received order: pending details load before anything else.
        SW_RETURN_IF_ERROR(flush_details());
        if (record.dataset == kPostingsListDataset) {
          Result<EnvelopePage> page =
              ParseSenuriXml(record.body, record.http_status, record.request);
          if (!page.ok()) {
            ++stats.skipped_errors;
            return Status::Ok();
          }
          ++stats.list_pages;
          return postings.LoadListPage(*page, stamp).status();
        }
        return projects.Replay(record);
      },
      &lake_stats));
  SW_RETURN_IF_ERROR(flush_details());
  SW_RETURN_IF_ERROR(transaction.Commit());
  progress.Finish();
  stats.skipped_torn = lake_stats.skipped_torn;
  stats.project_pages = projects.pages();
  stats.skipped_errors += projects.skipped_errors();
  return stats;
}

}  // namespace silverwork
