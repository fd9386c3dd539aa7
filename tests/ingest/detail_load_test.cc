// PostingsLoader::LoadDetails gives the same rows on every engine: row by
// row on SQLite, in bulk (Upserts, then UPDATEs of the list-hash marks)
// where each statement is a round trip (PostgreSQL). Answers and NODATA
// mixed in one call, a detail before its list item, and an id given twice
// (the later detail wins, as row by row). The engine is
// SILVERWORK_TEST_ENGINE's (tests/CMakeLists.txt runs the suite on each).
#include <gtest/gtest.h>

#include "ingest/raw_tables.h"
#include "warehouse/engine_traits.h"
#include "warehouse_under_test.h"

namespace silverwork {
namespace {

class DetailLoadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    warehouse_ = place_.Open();
    ASSERT_NE(warehouse_, nullptr);
    ASSERT_TRUE(EnsureRawTables(*warehouse_).ok());
  }

  static Fields ListItem(const std::string& job_id, const std::string& organ) {
    return {{"jobId", job_id}, {"recrtTitle", "title " + job_id}, {"organYn", organ},
            {"stmId", "S" + job_id}, {"frDd", "20261101"}, {"toDd", "20261130"}};
  }

  static DetailResult Answer(const std::string& job_id, const std::string& title) {
    EnvelopePage page;
    page.result_code = "00";
    page.items.push_back({{"jobId", job_id}, {"wantedTitle", title}, {"organYn", "Y"},
                          {"stmId", "D" + job_id}, {"surprise", "kept as extra"}});
    return {job_id, std::move(page)};
  }

  static DetailResult NoData(const std::string& job_id) {
    EnvelopePage page;
    page.result_code = "03";
    return {job_id, std::move(page)};
  }

  // jobId, wantedTitle, organYn, stmId, _detail_status, _detail_run_id,
  // whether the detail matches the list hash, whether there is extra JSON.
  std::vector<Row> Rows() {
    return AllRows(*warehouse_,
                   "SELECT jobId, wantedTitle, organYn, stmId, _detail_status, _detail_run_id, "
                   "CASE WHEN _detail_list_hash = _list_hash THEN 1 ELSE 0 END, "
                   "CASE WHEN _extra_detail IS NULL THEN 0 ELSE 1 END "
                   "FROM raw_postings ORDER BY jobId");
  }

  WarehouseUnderTest place_{EngineFromEnvironment()};
  std::unique_ptr<Warehouse> warehouse_;
};

TEST_F(DetailLoadTest, MixedAnswersAndRepeatsLoadAsRowByRow) {
  // The bulk path is the server's: say which one this engine takes.
  EXPECT_EQ(warehouse_->traits().statements_are_round_trips(), place_.engine() != "sqlite");
  PostingsLoader loader(*warehouse_);
  EnvelopePage list;
  list.result_code = "00";
  list.items = {ListItem("1", "N"), ListItem("2", "N"), ListItem("4", "N")};
  Transaction transaction(*warehouse_);
  ASSERT_TRUE(transaction.Begin().ok());
  ASSERT_TRUE(loader.LoadListPage(list, {"list-run", "2026-11-25T01:00:00Z"}).ok());
  const std::vector<DetailResult> details = {
      Answer("1", "first answer"), NoData("3"),           Answer("2", "second"),
      NoData("1"),                 Answer("4", "fourth"), Answer("4", "fourth again")};
  auto loaded = loader.LoadDetails(details, {"detail-run", "2026-11-25T02:00:00Z"});
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(*loaded, 6);
  ASSERT_TRUE(transaction.Commit().ok());

  // 1: NODATA after its answer leaves the answer's fields but for the
  // status (NODATA writes only the detail columns it has); organYn and stmId
  // keep the answer's values. 3: a detail before any list item (no hash to
  // match). 4: the later of two answers.
  const std::vector<Row> expected = {
      {std::string("1"), Value{}, std::string("Y"), std::string("D1"), std::string("nodata"),
       std::string("detail-run"), int64_t{1}, int64_t{0}},
      {std::string("2"), std::string("second"), std::string("Y"), std::string("D2"),
       std::string("ok"), std::string("detail-run"), int64_t{1}, int64_t{1}},
      {std::string("3"), Value{}, Value{}, Value{}, std::string("nodata"),
       std::string("detail-run"), int64_t{0}, int64_t{0}},
      {std::string("4"), std::string("fourth again"), std::string("Y"), std::string("D4"),
       std::string("ok"), std::string("detail-run"), int64_t{1}, int64_t{1}},
  };
  EXPECT_EQ(Rows(), expected);
}

TEST_F(DetailLoadTest, MoreDetailsThanOneUpdateTakesMarkThemAll) {
  PostingsLoader loader(*warehouse_);
  EnvelopePage list;
  list.result_code = "00";
  std::vector<DetailResult> details;
  for (int index = 0; index < 2500; ++index) {
    const std::string job_id = std::to_string(100000 + index);
    list.items.push_back(ListItem(job_id, "N"));
    details.push_back(index % 7 == 0 ? NoData(job_id) : Answer(job_id, "t" + job_id));
  }
  Transaction transaction(*warehouse_);
  ASSERT_TRUE(transaction.Begin().ok());
  ASSERT_TRUE(loader.LoadListPage(list, {"list-run", "2026-11-25T01:00:00Z"}).ok());
  ASSERT_TRUE(loader.LoadDetails(details, {"detail-run", "2026-11-25T02:00:00Z"}).ok());
  ASSERT_TRUE(transaction.Commit().ok());
  EXPECT_EQ(ScalarText(*warehouse_,
                       "SELECT count(*) FROM raw_postings WHERE _detail_list_hash = _list_hash"),
            "2500");
  EXPECT_EQ(ScalarText(*warehouse_,
                       "SELECT count(*) FROM raw_postings WHERE _detail_status = 'nodata'"),
            "358");
}

}  // namespace
}  // namespace silverwork
