#include "serve/freshness.h"

#include <algorithm>

#include "common/date.h"

namespace silverwork::serve {
namespace {

// frDd is compared as text: the bounds keep a malformed value (letters sort
// after digits) from passing for the newest day, and make MAX one lookup of
// the raw_postings_frdd index. A posting without createDy (no detail yet)
// comes last on both engines: SQLite sorts NULL first, PostgreSQL last.
constexpr const char* kNewestPostingSql =
    "SELECT jobId, frDd, createDy FROM raw_postings WHERE frDd = ("
    " SELECT MAX(frDd) FROM raw_postings WHERE frDd BETWEEN '19000101' AND '29991231')"
    " ORDER BY createDy DESC NULLS LAST, jobId DESC LIMIT 1";

// The newest successful run of each command; the ledger is small.
constexpr const char* kLastSuccessesSql =
    "SELECT runs.command, runs.run_id, runs.finished_at FROM _sw_runs AS runs JOIN ("
    " SELECT command, MAX(run_id) AS run_id FROM _sw_runs WHERE status = 'success'"
    " GROUP BY command) AS newest ON newest.run_id = runs.run_id"
    " ORDER BY runs.finished_at DESC, runs.command";

std::string TextOf(const Value& value) {
  return IsNull(value) ? std::string() : ValueToString(value);
}

Result<std::optional<NewestPosting>> LoadNewestPosting(Warehouse& warehouse) {
  SW_ASSIGN_OR_RETURN(bool present, warehouse.TableExists("raw_postings"));
  if (!present) return std::optional<NewestPosting>();
  SW_ASSIGN_OR_RETURN(QueryResult newest, warehouse.QueryAll(kNewestPostingSql));
  if (newest.rows.empty()) return std::optional<NewestPosting>();
  const Row& row = newest.rows.front();
  auto start = Date::Parse(TextOf(row[1]));
  if (!start.ok()) return std::optional<NewestPosting>();
  NewestPosting posting{.job_id = TextOf(row[0]), .start_date = start->Iso()};
  if (auto created = ParseIsoInstant(TextOf(row[2])); created.ok()) {
    posting.created_at = *created;
    posting.created_at_known = true;
  } else {
    posting.created_at = std::chrono::system_clock::time_point(start->sys_days()) -
                         std::chrono::hours(9);  // 00:00 in Korea
  }
  return std::optional<NewestPosting>(std::move(posting));
}

Result<std::vector<SuccessfulRun>> LoadLastSuccesses(Warehouse& warehouse) {
  std::vector<SuccessfulRun> runs;
  SW_ASSIGN_OR_RETURN(bool present, warehouse.TableExists("_sw_runs"));
  if (!present) return runs;
  SW_ASSIGN_OR_RETURN(QueryResult rows, warehouse.QueryAll(kLastSuccessesSql));
  for (const Row& row : rows.rows) {
    auto finished = ParseIsoInstant(TextOf(row[2]));
    if (!finished.ok()) continue;
    runs.push_back({TextOf(row[0]), TextOf(row[1]), *finished});
  }
  return runs;
}

int64_t AgeSeconds(std::chrono::system_clock::time_point instant,
                   std::chrono::system_clock::time_point now) {
  return std::max<int64_t>(0,
                           std::chrono::duration_cast<std::chrono::seconds>(now - instant).count());
}

}  // namespace

Result<PostingsFreshness> LoadPostingsFreshness(Warehouse& warehouse) {
  PostingsFreshness freshness;
  SW_ASSIGN_OR_RETURN(freshness.newest_posting, LoadNewestPosting(warehouse));
  SW_ASSIGN_OR_RETURN(freshness.last_successes, LoadLastSuccesses(warehouse));
  return freshness;
}

nlohmann::json PostingsFreshnessJson(const PostingsFreshness& freshness,
                                     std::chrono::system_clock::time_point now) {
  nlohmann::json newest = nullptr;
  if (const auto& posting = freshness.newest_posting) {
    newest = {{"job_id", posting->job_id},
              {"start_date", posting->start_date},
              {"created_at", FormatUtcTimestamp(posting->created_at)},
              {"created_at_known", posting->created_at_known},
              {"age_seconds", AgeSeconds(posting->created_at, now)}};
  }
  nlohmann::json successes = nlohmann::json::array();
  for (const SuccessfulRun& run : freshness.last_successes) {
    successes.push_back({{"command", run.command},
                         {"run_id", run.run_id},
                         {"finished_at", FormatUtcTimestamp(run.finished_at)},
                         {"age_seconds", AgeSeconds(run.finished_at, now)}});
  }
  return {{"as_of", FormatUtcTimestamp(now)},
          {"newest_posting", std::move(newest)},
          {"last_successes", std::move(successes)}};
}

}  // namespace silverwork::serve
