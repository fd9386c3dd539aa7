// PostingsFreshness: how fresh the warehouse's postings are, as the 데이터 현황
// tab, GET /api/v1/status/freshness and GET /metrics show it — the newest
// posting the warehouse holds (by the portal's createDy) and the last run of
// each command that succeeded (the run ledger, _sw_runs).
//
// It is loaded with the serving snapshot (two indexed reads) and holds
// instants; ages are taken against the server's clock when a request is
// answered, so they keep growing while nothing new arrives. Plain values and
// pure functions: thread-safe once loaded.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "warehouse/warehouse.h"

namespace silverwork::serve {

// The posting of the newest start day (frDd) registered last (createDy).
struct NewestPosting {
  std::string job_id;
  std::string start_date;  // YYYY-MM-DD
  // Its createDy; when the posting has no detail yet, the start of its start
  // day in Korea.
  std::chrono::system_clock::time_point created_at;
  bool created_at_known = false;  // false: created_at is the start day's start
};

// The newest run of one command that succeeded.
struct SuccessfulRun {
  std::string command;  // "collect postings", "collect projects", "pipeline", ...
  std::string run_id;
  std::chrono::system_clock::time_point finished_at;
};

struct PostingsFreshness {
  std::optional<NewestPosting> newest_posting;  // none: no postings yet
  std::vector<SuccessfulRun> last_successes;    // one per command, newest first
};

// Reads raw_postings (through its start-date index) and _sw_runs; a table not
// there yet reads as empty. A createDy or finished_at that is not an ISO
// instant is skipped.
Result<PostingsFreshness> LoadPostingsFreshness(Warehouse& warehouse);

// {"as_of", "newest_posting": {"job_id", "start_date", "created_at",
// "created_at_known", "age_seconds"} or null, "last_successes": [{"command",
// "run_id", "finished_at", "age_seconds"}]}, instants in UTC ISO-8601 and
// ages (whole seconds, never negative) as of `now`.
nlohmann::json PostingsFreshnessJson(const PostingsFreshness& freshness,
                                     std::chrono::system_clock::time_point now);

}  // namespace silverwork::serve
