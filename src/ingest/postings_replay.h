// PostingsReplay: the postings half of a reload from the lake. It gives
// raw_postings the rows that loading each list page (PostingsLoader::
// LoadListPage) and each detail (PostingsLoader::LoadDetails) in the order
// received gives, but writes each posting's final row once where the lake
// allows it, instead of a list row, a detail merge and a list-hash mark.
//
// How: a list item's row is held in memory (packed, keyed by jobId) instead
// of written; a later list item for the same id replaces it. A detail for a
// held id completes the row: list columns from the held item, detail
// columns from the detail, _detail_list_hash from the held item's
// _list_hash (what the detail merge would have read from the table), and
// then the whole row goes out (below). A detail for an id not held loads
// as LoadDetails does (the row it merges into is already in the table, or
// none is). Held items that
// no detail completes are written as LoadListPage writes them, at Flush()
// or when the held rows outgrow their bound (then the ones completed later
// are written twice, as before). Writes leave in the order of the records
// they come from, per id: a held row is always the newest thing said about
// its id, so it goes out after everything pending.
//
// The values written are the same as loading record by record; on SQLite
// the rows' rowids follow the order the rows are first written instead.
//
// A completed row whose id this replay has not written before goes into
// one Appender (Warehouse::OpenAppender: on PostgreSQL a COPY kept open
// straight into raw_postings, which the server inserts from while the
// replay builds the next rows), the others through Upsert. The row goes to
// the appender from one scratch row whose strings keep their capacity, not
// a Row of fresh strings per posting. The appender is finished before any
// other write (a rewrite's Upsert, details of ids not held, the held rows)
// and opened again for the next new row, so writes keep their order.
//
// To know which rows are new, the replay keeps a 64-bit hash of every id it
// has written (WrittenIds: 16-32 bytes per id, 16 MB at the benchmark's
// million postings) up to a bound (kMaxTrackedIds by default); past it, it
// stops tracking and every later row goes through Upsert. Only "new" must
// be exact: a hash collision only sends a new row through Upsert. Only on
// engines whose statements are round trips (PostgreSQL): SQLite's Append
// costs what its Upsert costs, so there every row goes through Upsert.
//
// Not thread-safe; used inside the reload's one transaction, whose
// raw_postings must not be read between ApplyListPage and Flush().
// REQUIRES: raw_postings holds no row when the replay starts (the reload
// emptied it in the same transaction).
#pragma once

#include <cstddef>
#include <string>
#include <memory>
#include <unordered_map>
#include <vector>

#include "ingest/raw_tables.h"
#include "ingest/written_ids.h"

namespace silverwork {

// The default bound of PostingsReplay's held list rows: the benchmark's
// 1,000,000 simulator postings, one run, take about 500 MB of it.
inline constexpr size_t kDefaultHeldListBytes = size_t{1} << 30;

// How many written ids PostingsReplay keeps to tell new rows from rewrites.
inline constexpr size_t kMaxTrackedIds = 4'000'000;

class PostingsReplay {
 public:
  // `held_list_bytes`: how much memory the held list rows may take (their
  // packed bytes plus a fixed charge per row); past it they are written.
  // `max_tracked_ids`: how many written ids it keeps to tell new rows (0
  // where statements are not round trips, whatever is passed).
  PostingsReplay(Warehouse& warehouse, std::string loaded_at, size_t held_list_bytes,
                 size_t max_tracked_ids = kMaxTrackedIds);
  PostingsReplay(const PostingsReplay&) = delete;
  PostingsReplay& operator=(const PostingsReplay&) = delete;

  // A list page of run `run_id`, as LoadListPage would load it.
  Status ApplyListPage(const EnvelopePage& page, const std::string& run_id);
  // A detail of run `run_id`, as LoadDetails would load it.
  Status ApplyDetail(DetailResult detail, const std::string& run_id);
  // Writes everything pending and held. Call once the records are applied.
  Status Flush();
  // Ends the stream of new rows if one is open: the warehouse refuses other
  // statements while it is (Warehouse::OpenAppender). Call before writing
  // anything else through the same warehouse.
  Status FinishStream();

  int64_t details() const { return details_; }
  // Postings written as one row, list and detail together.
  int64_t merged_rows() const { return merged_rows_; }
  // How often the held list rows outgrew their bound and were written.
  int64_t spills() const { return spills_; }
  // Rows written through the appender, as new ids.
  int64_t appended_rows() const { return appended_rows_; }

 private:
  Status Complete(const std::string& job_id, const std::string& packed_list_row,
                  const DetailResult& detail, const LoadStamp& stamp);
  Status AppendWhole();
  Status FlushCompleted();
  Status FlushDetails();
  Status WriteHeld();
  // Records that `job_id` has a row now; false when it may have had one
  // before (written earlier, or no longer tracked).
  bool MarkWritten(const std::string& job_id);

  Warehouse& warehouse_;
  const std::string loaded_at_;
  const size_t held_list_bytes_;
  const size_t max_tracked_ids_;
  PostingsLoader loader_;

  // List rows not written yet, packed (see PackTextRow in the .cc).
  std::unordered_map<std::string, std::string> held_;
  size_t held_bytes_ = 0;
  // The whole row (RawPostingsColumns() order) being completed, reused.
  Row whole_;
  // New rows' stream while one is open.
  std::unique_ptr<Appender> appender_;
  // Completed rows of ids written before, waiting for one Upsert (after
  // the appender's rows: an id appears here only after its appended row).
  std::vector<Row> completed_;
  // Every id written so far, while it fits in max_tracked_ids_.
  WrittenIds written_ids_;
  bool tracking_written_ids_ = true;
  // Details for ids not held, of one run, waiting for LoadDetails. At most
  // one of completed_ and details_pending_ is non-empty: switching flushes.
  std::vector<DetailResult> details_pending_;
  std::string details_run_id_;

  int64_t details_ = 0;
  int64_t merged_rows_ = 0;
  int64_t spills_ = 0;
  int64_t appended_rows_ = 0;
};

}  // namespace silverwork
