// ReloadFromLake reads and parses the lake on a second thread, a few batches
// ahead of the loading: a lake many batches long must still load in the
// order received (the last answer for an id wins, a detail before its list
// item keeps its detail), and a load that fails half way must stop the
// reading, say why, and leave the tables as they were. The engine is
// SILVERWORK_TEST_ENGINE's (tests/CMakeLists.txt runs the suite on each).
#include <gtest/gtest.h>

#include <cstdio>

#include "ingest/raw_tables.h"
#include "ingest/reloader.h"
#include "lake/lake.h"
#include "scoped_temp_dir.h"
#include "sources/datagokr_client.h"
#include "transform/spy_warehouse.h"
#include "warehouse_under_test.h"

namespace silverwork {
namespace {

// Far more than the reading thread keeps ahead (a few batches of 512).
constexpr int kReloadTestPostings = 3000;

std::string ReloadTestJobId(int index) {
  char id[16];
  std::snprintf(id, sizeof id, "K%05d", index);
  return id;
}

std::string SenuriBody(const std::string& items, int count) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?><response><header><resultCode>00</resultCode>"
         "<resultMsg>NORMAL SERVICE.</resultMsg></header><body><items>" +
         items + "</items><numOfRows>" + std::to_string(std::max(count, 1)) +
         "</numOfRows><pageNo>1</pageNo><totalCount>" + std::to_string(count) +
         "</totalCount></body></response>";
}

class ReloaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    warehouse_ = place_.Open();
    ASSERT_NE(warehouse_, nullptr);
    auto writer = LakeWriter::Open({.root = lake_.path().string(), .run_id = "20261206T000000Z-0001"});
    ASSERT_TRUE(writer.ok()) << writer.status().ToString();
    writer_ = std::move(writer).value();
  }

  void Append(std::string_view dataset, const std::string& request, const std::string& body) {
    auto seq = writer_->Append({.dataset = std::string(dataset),
                                .request = request,
                                .http_status = 200,
                                .fetched_at = "2026-12-06T00:00:00Z",
                                .body = body});
    ASSERT_TRUE(seq.ok()) << seq.status().ToString();
  }

  void AppendDetail(int index, const std::string& title) {
    const std::string id = ReloadTestJobId(index);
    Append(kPostingsDetailDataset, "/B552474/SenuriService/getJobInfo?id=" + id,
           SenuriBody("<item><jobId>" + id + "</jobId><wantedTitle>" + title +
                          "</wantedTitle></item>",
                      1));
  }

  // Details for every posting, then every posting's detail again (the later
  // wins), then the list page, which comes after its details here.
  void WriteLongLake() {
    for (int index = 0; index < kReloadTestPostings; ++index) AppendDetail(index, "first");
    for (int index = 0; index < kReloadTestPostings; ++index) AppendDetail(index, "second");
    std::string items;
    for (int index = 0; index < kReloadTestPostings; ++index)
      items += "<item><jobId>" + ReloadTestJobId(index) + "</jobId><recrtTitle>list " +
               std::to_string(index) + "</recrtTitle></item>";
    Append(kPostingsListDataset, "/B552474/SenuriService/getJobList?pageNo=1",
           SenuriBody(items, kReloadTestPostings));
    ASSERT_TRUE(writer_->Close().ok());
  }

  ReloadOptions Options() const {
    return {.lake_root = lake_.path().string(), .loaded_at = "2030-01-01T00:00:00Z"};
  }

  WarehouseUnderTest place_{EngineFromEnvironment()};
  std::unique_ptr<Warehouse> warehouse_;
  ScopedTempDir lake_;
  std::unique_ptr<LakeWriter> writer_;
};

TEST_F(ReloaderTest, ALakeManyBatchesLongLoadsInTheOrderReceived) {
  WriteLongLake();
  auto stats = ReloadFromLake(Options(), *warehouse_);
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->records, 2 * kReloadTestPostings + 1);
  EXPECT_EQ(stats->details, 2 * kReloadTestPostings);
  EXPECT_EQ(stats->list_pages, 1);
  EXPECT_EQ(CountRows(*warehouse_, "raw_postings"), kReloadTestPostings);
  EXPECT_EQ(ScalarText(*warehouse_,
                       "SELECT count(*) FROM raw_postings WHERE wantedTitle = 'second' "
                       "AND recrtTitle IS NOT NULL"),
            std::to_string(kReloadTestPostings));
  EXPECT_EQ(ScalarText(*warehouse_, "SELECT recrtTitle FROM raw_postings WHERE jobId = 'K02999'"),
            "list 2999");
}

TEST_F(ReloaderTest, AFailedLoadStopsTheReadingAndKeepsTheOldTables) {
  ASSERT_TRUE(EnsureRawTables(*warehouse_).ok());
  ASSERT_TRUE(warehouse_->Execute("INSERT INTO raw_postings(jobId) VALUES('OLD')").ok());
  WriteLongLake();
  // Break the load half way through the details, while the reading thread
  // is still well behind the end of the lake (blocked on the full queue).
  transform::testing::SpyWarehouse spy(*warehouse_);
  int detail_statements = 0;  // one per detail on SQLite, per 1,000 on a server
  bool broken = false;
  spy.before_statement = [&](std::string_view sql) {
    if (broken || sql.find("_detail_list_hash") == std::string_view::npos) return;
    if (++detail_statements < 2) return;
    broken = true;
    ASSERT_TRUE(warehouse_->Execute("DROP TABLE raw_postings").ok());
  };
  auto stats = ReloadFromLake(Options(), spy);
  ASSERT_FALSE(stats.ok());
  EXPECT_TRUE(broken);
  EXPECT_NE(stats.status().ToString().find("raw_postings"), std::string::npos)
      << stats.status().ToString();
  EXPECT_EQ(CountRows(*warehouse_, "raw_postings"), 1);  // rolled back, table and row
}

}  // namespace
}  // namespace silverwork
