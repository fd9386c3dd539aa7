// CsvExport: one download of the filtered postings as CSV
// (GET /api/v1/postings.csv). The matching postings are found up front (at
// most `max_rows` kept; X-Silverwork-Rows says how many matched and
// X-Silverwork-Truncated whether the file was cut), then their rows are read
// from the warehouse and written in chunks of 2,000 as the client takes them,
// so a large export never sits whole in memory.
//
// An export keeps its snapshot and its warehouse connection until the last
// chunk is written or the client stops reading (which the write timeout
// notices; the log line says so with the request id). cpp-httplib calls one
// response's content provider from one thread at a time; not thread-safe
// otherwise.
#pragma once

#include <httplib.h>

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "serve/query.h"
#include "serve/snapshot.h"
#include "serve/warehouse_pool.h"

namespace silverwork::serve {

// The export's own parameter: q (search), as the table takes it.
std::span<const OptionSpec> CsvExportOptions();

class CsvExport {
 public:
  // Finds the postings matching `query`. REQUIRES: `query` was parsed with
  // CsvExportOptions().
  static Result<std::shared_ptr<CsvExport>> Prepare(std::shared_ptr<const ServingSnapshot> snapshot,
                                                    const ParsedQuery& query,
                                                    WarehousePool::Lease lease, size_t max_rows,
                                                    std::string request_id);
  // Sets the headers and streams the rows as `res`'s content; `in_flight`
  // is held until the response ends (written, cut or abandoned).
  static void Respond(std::shared_ptr<CsvExport> csv, std::shared_ptr<void> in_flight,
                      httplib::Response& res);

  CsvExport(std::shared_ptr<const ServingSnapshot> snapshot, WarehousePool::Lease lease,
            std::string request_id)
      : snapshot_(std::move(snapshot)),
        lease_(std::move(lease)),
        request_id_(std::move(request_id)) {}
  CsvExport(const CsvExport&) = delete;
  CsvExport& operator=(const CsvExport&) = delete;

 private:
  // Writes the next chunk; false stops the response.
  bool WriteNextChunk(httplib::DataSink& sink);

  std::shared_ptr<const ServingSnapshot> snapshot_;
  WarehousePool::Lease lease_;
  const std::string request_id_;
  std::vector<const PostingRecord*> records_;  // the rows to write, in order
  size_t matched_ = 0;                         // rows matching, written or not
  size_t next_ = 0;                            // index of the next record to write
};

}  // namespace silverwork::serve
