// PostingsCollector: collects 100세누리 postings for a window of start dates.
//
// A logical date D means the postings whose start date (frDd) is D. The list
// has no date filter and comes newest first, so a run:
//  1. list phase: pages from the newest until it has passed its reach: the
//     window's start minus `lookback_days`, or, when older, the start of the
//     oldest posting the warehouse still holds as open (접수중, or 마감 with a
//     toDd not yet past) that started at most `max_reach_back_days` before
//     today. It loads every item it sees (list columns), so every open
//     posting's status is refreshed on every run, and checkpoints the next
//     page in the same transaction as the page;
//  2. detail phase (detail_phase.h): fetches getJobInfo, in parallel over
//     `concurrency` workers sharing one RateBudget, for postings in the
//     window (and the lookback) whose detail is missing, and for postings
//     anywhere in the reach whose list item changed since their detail was
//     fetched, committing `batch_size` details per transaction.
// The reach costs one indexed query per run (OldestHeldOpen) and a few list
// pages: at 200 postings a day with deadlines up to six weeks out, about 9
// pages of 1,000 (docs/collection.md).
// A spent quota (code 22, or the local daily budget) stops the run cleanly:
// everything fetched is committed, the checkpoint says where to resume, and
// the next run of the same window continues from there. A backfill (a window
// ending before yesterday) counts its budget as spent `reserved_calls_per_day`
// calls early, so the collections of today always have calls left.
//
// Not thread-safe: Run() from one thread; it manages its own workers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/date.h"
#include "ingest/collector.h"
#include "ingest/raw_tables.h"

namespace silverwork {

struct PostingsCollectorOptions {
  Date from;
  Date to;
  int lookback_days = 3;
  int max_reach_back_days = 90;  // see the file comment
  // A backfill (a window ending before yesterday) stops this many calls per
  // operation short of budget.calls_per_day, leaving them to the collections
  // of today and yesterday.
  int64_t reserved_calls_per_day = 0;
  int64_t rows_per_page = 1000;
  int concurrency = 10;
  int list_concurrency = 2;  // list pages in flight
  int64_t batch_size = 500;
  bool skip_details = false;
  ApiCallerOptions caller;
  RateBudgetOptions budget;
};

struct PostingsCollectStats {
  // The oldest start day the list pass had to reach: the window's start
  // minus the lookback, or an older posting held open.
  Date reach_back;
  int64_t list_pages = 0;
  int64_t postings_listed = 0;     // list items loaded (all dates seen)
  int64_t postings_in_window = 0;  // distinct postings with frDd in [from, to]
  int64_t details_needed = 0;      // at the start of the detail phase
  int64_t details_loaded = 0;
  int64_t details_failed = 0;      // gave up after retries; retried next run
  int64_t calls = 0;
  double list_seconds = 0;    // wall time of the list phase
  double detail_seconds = 0;  // wall time of the detail phase
  bool resumed = false;
};

struct CollectOutcome {
  Status status;  // kQuotaExhausted: stopped early, progress kept
  PostingsCollectStats stats;
};

class PostingsCollector {
 public:
  PostingsCollector(PostingsCollectorOptions options, CollectorEnvironment& environment);
  PostingsCollector(const PostingsCollector&) = delete;
  PostingsCollector& operator=(const PostingsCollector&) = delete;

  CollectOutcome Run();

 private:
  struct Checkpoint;
  // The start day of the oldest posting held open, within the bound.
  Result<std::optional<Date>> OldestHeldOpen();
  Result<Date> ReachBack();
  // Resumes the window's checkpoint if an earlier run left one, and fixes
  // the run's reach.
  Status LoadCheckpoint(Checkpoint& checkpoint);
  // The run's budget: a backfill's daily one is smaller by the reserve.
  RateBudgetOptions BudgetOptions() const;
  Status ListPhase(RateBudget& budget, Checkpoint& checkpoint);
  Status CountWindow();
  std::unique_ptr<SenuriClient> NewClient(RateBudget& budget);
  std::string CheckpointKey() const;
  Status SaveCheckpoint(const Checkpoint& checkpoint, RateBudget& budget);
  LoadStamp Stamp() const;

  PostingsCollectorOptions options_;
  CollectorEnvironment& env_;
  PostingsLoader loader_;
  PostingsCollectStats stats_;
};

}  // namespace silverwork
