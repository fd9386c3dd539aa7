#include "serve/csv_export.h"

#include "common/log.h"
#include "serve/postings_table.h"

namespace silverwork::serve {
namespace {

constexpr size_t kChunkRows = 2000;

}  // namespace

std::span<const OptionSpec> CsvExportOptions() {
  return PostingsTableOptions().subspan(2);  // page and page_size come first
}

Result<std::shared_ptr<CsvExport>> CsvExport::Prepare(
    std::shared_ptr<const ServingSnapshot> snapshot, const ParsedQuery& query,
    WarehousePool::Lease lease, size_t max_rows, std::string request_id) {
  auto csv =
      std::make_shared<CsvExport>(std::move(snapshot), std::move(lease), std::move(request_id));
  SW_RETURN_IF_ERROR(ForEachMatchingPosting(*csv->snapshot_, query, *csv->lease_,
                                            [&](const PostingRecord& record) {
                                              if (csv->matched_++ < max_rows)
                                                csv->records_.push_back(&record);
                                            }));
  return csv;
}

void CsvExport::Respond(std::shared_ptr<CsvExport> csv, std::shared_ptr<void> in_flight,
                        httplib::Response& res) {
  res.set_header("Content-Disposition", "attachment; filename=\"silverwork-postings.csv\"");
  res.set_header("Cache-Control", "no-store");
  res.set_header("X-Silverwork-Rows", std::to_string(csv->matched_));
  res.set_header("X-Silverwork-Truncated", csv->matched_ > csv->records_.size() ? "true" : "false");
  res.set_chunked_content_provider(
      "text/csv; charset=utf-8",
      [csv = std::move(csv)](size_t, httplib::DataSink& sink) { return csv->WriteNextChunk(sink); },
      [in_flight = std::move(in_flight)](bool /*success*/) {});
}

bool CsvExport::WriteNextChunk(httplib::DataSink& sink) {
  std::string chunk = next_ == 0 ? PostingsCsvHeader() : std::string();
  const size_t end = std::min(records_.size(), next_ + kChunkRows);
  Status status = AppendPostingsCsv(*snapshot_, std::span(records_).subspan(next_, end - next_),
                                    *lease_, chunk);
  if (!status.ok()) {
    spdlog::error("serve: request {}: the CSV export stopped after {} of {} rows: {}", request_id_,
                  next_, records_.size(), status.ToString());
    return false;
  }
  if (!sink.write(chunk.data(), chunk.size())) {
    spdlog::info("serve: request {}: the client stopped reading the CSV export after {} of {} rows",
                 request_id_, next_, records_.size());
    return false;
  }
  next_ = end;
  if (next_ >= records_.size()) sink.done();
  return true;
}

}  // namespace silverwork::serve
