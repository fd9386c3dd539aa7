// The rule stg_postings states for is_open, through the real SQL project:
// a posting the portal still lists 접수중 after its toDd ended (midnight in
// Korea, 15:00 UTC that day) is closed in the models, and mart_data_quality
// counts the statuses that disagree with their dates. Every value below is
// worked out by hand from the rows.
#include <gtest/gtest.h>

#include "project_warehouse.h"

namespace silverwork::testing {
namespace {

using Lines = std::vector<std::string>;

constexpr const char* kNewestLoad = "2025-03-05T00:30:00Z";  // 09:30 on 03-05 in Korea

struct RawPosting {
  const char* job_id;
  const char* to_dd;
  const char* deadline;
  const char* list_loaded_at;  // when the list last showed it; NULL: only _loaded_at
};

// All start on 2025-03-01 and were last loaded at kNewestLoad.
const std::vector<RawPosting> kOpenOrClosedPostings = {
    // Open: its toDd is ahead.
    {"A", "20250310", "접수중", kNewestLoad},
    // Open: its last day, which ends at 03-05T15:00Z.
    {"B", "20250305", "접수중", kNewestLoad},
    // Closed: listed 접수중 after its toDd ended (03-04T15:00Z).
    {"C", "20250304", "접수중", kNewestLoad},
    // Open as last seen: at 23:59:59 in Korea on its last day.
    {"D", "20250304", "접수중", "2025-03-04T14:59:59Z"},
    // Closed early: 마감 before its toDd.
    {"E", "20250320", "마감", kNewestLoad},
    // Open: a toDd that is no day closes nothing.
    {"F", "2025031", "접수중", kNewestLoad},
    // Closed: loaded (no list time recorded) after its toDd ended.
    {"G", "20250304", "접수중", nullptr},
};

class OpenPostingsRule : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(HasFailure());
    for (const RawPosting& posting : kOpenOrClosedPostings) {
      Value listed =
          posting.list_loaded_at == nullptr ? Value{} : Value{std::string(posting.list_loaded_at)};
      project_.Execute(
          "INSERT INTO raw_postings(jobId, frDd, toDd, deadline, emplymShp, _list_loaded_at, "
          "_loaded_at, _run_id) VALUES (?, '20250301', ?, ?, 'CM0105', ?, ?, 'hand')",
          {std::string(posting.job_id), std::string(posting.to_dd), std::string(posting.deadline),
           listed, std::string(kNewestLoad)});
    }
    // The projects source must not be empty either (its freshness is an error).
    project_.Execute(
        "INSERT INTO raw_projects(projNo, projYear, projPlanChangeNo, _loaded_at, _run_id) "
        "VALUES ('P', '2025', '1', ?, 'hand')",
        {std::string(kNewestLoad)});
    BuildAt("2025-03-05T01:00:00Z");
  }

  void BuildAt(const char* instant) { project_.Build(ParseIsoInstant(instant).value()); }

  TempDir dir_;
  ProjectWarehouse project_{dir_};
};

TEST_F(OpenPostingsRule, APostingListedOpenAfterItsToDdIsClosed) {
  EXPECT_EQ(project_.Rows("SELECT job_id, is_open FROM fct_job_postings ORDER BY job_id"),
            (Lines{"A|1", "B|1", "C|0", "D|1", "E|0", "F|1", "G|0"}));
  // A, B, D and F are open.
  EXPECT_EQ(project_.Rows("SELECT postings, open_postings FROM mart_postings_monthly_region"),
            (Lines{"7|4"}));
}

TEST_F(OpenPostingsRule, DataQualityCountsStatusesThatDisagreeWithTheirDates) {
  // C and G: the portal listed them 접수중 after their toDd. D: not listed
  // since its toDd ended, which is before the newest load.
  EXPECT_EQ(project_.Rows("SELECT source, day, detail, rows_count FROM mart_data_quality WHERE "
                          "check_name = 'status_vs_dates' ORDER BY detail"),
            (Lines{"raw_postings|NULL|접수중 after toDd, not seen since (counted open)|1",
                   "raw_postings|NULL|접수중 after toDd, seen since (counted closed)|2"}));
}

TEST_F(OpenPostingsRule, ListingItAgainClosesItInAnIncrementalBuild) {
  // An hour later the list shows D again, still 접수중 (the portal lags), and
  // C as 마감 (it caught up); nothing else is loaded.
  project_.Execute("UPDATE raw_postings SET _list_loaded_at = ?, _loaded_at = ? WHERE jobId = 'D'",
                   {std::string("2025-03-05T01:30:00Z"), std::string("2025-03-05T01:30:00Z")});
  project_.Execute(
      "UPDATE raw_postings SET deadline = '마감', _list_loaded_at = ?, "
      "_loaded_at = ? WHERE jobId = 'C'",
      {std::string("2025-03-05T01:30:00Z"), std::string("2025-03-05T01:30:00Z")});
  BuildAt("2025-03-05T02:00:00Z");
  EXPECT_EQ(project_.Rows("SELECT job_id, is_open FROM fct_job_postings WHERE job_id IN ('C', "
                          "'D') ORDER BY job_id"),
            (Lines{"C|0", "D|0"}));
  EXPECT_EQ(project_.Rows("SELECT postings, open_postings FROM mart_postings_monthly_region"),
            (Lines{"7|3"}));
  // D and G remain: seen 접수중 after their toDd.
  EXPECT_EQ(project_.Rows("SELECT detail, rows_count FROM mart_data_quality WHERE check_name = "
                          "'status_vs_dates'"),
            (Lines{"접수중 after toDd, seen since (counted closed)|2"}));
}

TEST_F(OpenPostingsRule, FreshnessOfThePostingsIsCheckedInTheBuild) {
  const transform::NodeResult* freshness =
      project_.last_results().Find("source.silverwork.raw.raw_postings");
  ASSERT_NE(freshness, nullptr);
  EXPECT_EQ(freshness->status, transform::NodeStatus::kPass) << freshness->message;
  BuildAt("2025-03-05T04:00:00Z");  // 3.5 hours after the newest load: past warn_after
  freshness = project_.last_results().Find("source.silverwork.raw.raw_postings");
  ASSERT_NE(freshness, nullptr);
  EXPECT_EQ(freshness->status, transform::NodeStatus::kWarn);
  EXPECT_NE(freshness->message.find("3.5 hours old"), std::string::npos) << freshness->message;
}

}  // namespace
}  // namespace silverwork::testing
