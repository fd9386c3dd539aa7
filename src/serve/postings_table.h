// The postings table: the filtered postings a page at a time, and the same
// rows as CSV. Which postings match comes from the snapshot's records (the
// dashboard filters) and, for a text search, from one scan of
// fct_job_postings; the rows' text is then read by job id.
//
// A build rewrites fct_job_postings (an incremental merge deletes and
// re-inserts rows) well before it ends and serve loads the matching
// snapshot. Rows are read by job id, so a row is always the posting the
// snapshot chose; when one is gone from the table, the functions fail with a
// kCancelled status that IsSnapshotBehindTheTable() recognises, and nothing
// of the page is shown: the caller loads a snapshot of the table as it is
// now and asks again.
//
// Functions share the Warehouse's (lack of) thread-safety: give each thread
// its own connection.
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "serve/query.h"
#include "serve/snapshot.h"
#include "warehouse/warehouse.h"

namespace silverwork::serve {

inline constexpr int64_t kMaxPageSize = 200;

// The start of the message of the status that says the table moved on.
inline constexpr std::string_view kSnapshotBehindTheTable =
    "fct_job_postings changed after the serving snapshot was loaded";
inline bool IsSnapshotBehindTheTable(const Status& status) {
  return status.code() == ErrorCode::kCancelled &&
         status.message().starts_with(kSnapshotBehindTheTable);
}

// The table endpoint's own parameters: page, page_size, q (search).
std::span<const OptionSpec> PostingsTableOptions();

// Calls `on_match` for each record matching the query's filters and its
// search text `q`, newest first.
Status ForEachMatchingPosting(const ServingSnapshot& snapshot, const ParsedQuery& query,
                              Warehouse& warehouse,
                              const std::function<void(const PostingRecord&)>& on_match);

// {"total": n, "page": p, "page_size": s, "columns": [...], "rows": [[...], ...]}
Result<nlohmann::json> PostingsPage(const ServingSnapshot& snapshot, const ParsedQuery& query,
                                    Warehouse& warehouse);

// The CSV header line (with a UTF-8 byte-order mark, for spreadsheets).
std::string PostingsCsvHeader();

// Appends the CSV lines of `records` (in order) to `out`.
Status AppendPostingsCsv(const ServingSnapshot& snapshot,
                         std::span<const PostingRecord* const> records, Warehouse& warehouse,
                         std::string& out);

}  // namespace silverwork::serve
