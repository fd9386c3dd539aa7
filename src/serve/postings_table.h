// The postings table: the filtered postings a page at a time, and the same
// rows as CSV. Which postings match comes from the snapshot's records (the
// dashboard filters) and, for a text search, from one scan of
// fct_job_postings; the rows' text is then read by job id.
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
