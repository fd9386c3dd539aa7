// ReloadFromLake reads and parses the lake on a second thread, a few batches
// ahead of the loading: a lake many batches long must still load in the
// order received (the last answer for an id wins, a detail before its list
// item keeps its detail), and a load that fails half way must stop the
// reading, say why, and leave the tables as they were. Where the engine
// builds an index faster than it maintains one (PostgreSQL), a reload drops
// raw_postings' secondary indexes while it loads and puts back the very
// same ones before its commit; killed (SIGKILL) half way, it leaves the old
// rows and the old indexes, and a reader meanwhile waits for the new rows
// (on SQLite it reads the old ones). The rows a reload
// writes (each posting's list item and detail as one row where it can,
// PostingsReplay) must equal, column for column, loading the same records
// one by one through PostingsLoader, however little memory the held list
// rows get. The engine is SILVERWORK_TEST_ENGINE's (tests/CMakeLists.txt
// runs the suite on each).
#include "ingest/reloader.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <functional>
#include <nlohmann/json.hpp>
#include <thread>

#include "ingest/project_files.h"
#include "ingest/raw_tables.h"
#include "lake/lake.h"
#include "scoped_temp_dir.h"
#include "sources/datagokr_client.h"
#include "transform/spy_warehouse.h"
#include "warehouse/engine_traits.h"
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

std::string SenuriBody(const std::string& items, int count, const std::string& code = "00") {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?><response><header><resultCode>" + code +
         "</resultCode><resultMsg>NORMAL SERVICE.</resultMsg></header><body><items>" + items +
         "</items><numOfRows>" + std::to_string(std::max(count, 1)) +
         "</numOfRows><pageNo>1</pageNo><totalCount>" + std::to_string(count) +
         "</totalCount></body></response>";
}

// A warehouse under test and a lake written run by run.
class LakeFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    warehouse_ = place_.Open();
    ASSERT_NE(warehouse_, nullptr);
  }

  void StartRun(const std::string& run_id) {
    if (writer_ != nullptr) {
      ASSERT_TRUE(writer_->Close().ok());
    }
    auto writer = LakeWriter::Open({.root = lake_.path().string(), .run_id = run_id});
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

  WarehouseUnderTest place_{EngineFromEnvironment()};
  std::unique_ptr<Warehouse> warehouse_;
  ScopedTempDir lake_;
  std::unique_ptr<LakeWriter> writer_;
};

class ReloaderTest : public LakeFixture {
 protected:
  void SetUp() override {
    LakeFixture::SetUp();
    StartRun("20261206T000000Z-0001");
  }

  void AppendDetail(int index, const std::string& title) {
    const std::string id = ReloadTestJobId(index);
    Append(
        kPostingsDetailDataset, "/B552474/SenuriService/getJobInfo?id=" + id,
        SenuriBody("<item><jobId>" + id + "</jobId><wantedTitle>" + title + "</wantedTitle></item>",
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

// (name, definition) of every index of the raw tables, from the engine's
// own catalog (the primary keys' included).
std::vector<Row> RawIndexes(Warehouse& warehouse, std::string_view engine) {
  return AllRows(warehouse,
                 engine == "sqlite"
                     ? "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN "
                       "('raw_postings', 'raw_projects') ORDER BY name"
                     : "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = "
                       "current_schema() AND tablename IN ('raw_postings', 'raw_projects') "
                       "ORDER BY indexname");
}

std::vector<std::string> IndexNames(const std::vector<Row>& indexes) {
  std::vector<std::string> names;
  for (const Row& index : indexes) names.push_back(std::get<std::string>(index.at(0)));
  return names;
}

// Calls `during` once, in the middle of the replay: at its first detail
// statement (the lake of WriteLongLake has its details before their list
// items, so they are written by statements of their own).
void OnFirstDetailStatement(transform::testing::SpyWarehouse& spy, std::function<void()> during) {
  spy.before_statement = [during = std::move(during),
                          called = false](std::string_view sql) mutable {
    if (called || sql.find("_detail_list_hash") == std::string_view::npos) return;
    called = true;
    during();
  };
}

TEST_F(ReloaderTest, WhileItLoadsOnlyTheIndexesTheReloadReadsAreKeptAndTheSameAreThereAfter) {
  ASSERT_TRUE(EnsureRawTables(*warehouse_).ok());
  const std::vector<Row> before = RawIndexes(*warehouse_, place_.engine());
  const std::vector<std::string> secondary = {"raw_postings_frdd", "raw_postings_loaded_at",
                                              "raw_postings_status"};
  const std::vector<std::string> names_before = IndexNames(before);
  for (const std::string& name : secondary)
    ASSERT_NE(std::ranges::find(names_before, name), names_before.end()) << name;
  WriteLongLake();
  transform::testing::SpyWarehouse spy(*warehouse_);
  std::vector<std::string> during;
  OnFirstDetailStatement(spy,
                         [&] { during = IndexNames(RawIndexes(*warehouse_, place_.engine())); });
  auto stats = ReloadFromLake(Options(), spy);
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  ASSERT_FALSE(during.empty());
  const bool rebuilds = warehouse_->traits().rebuilds_indexes_after_bulk_load();
  for (const std::string& name : secondary)
    EXPECT_EQ(std::ranges::find(during, name) == during.end(), rebuilds) << name;
  for (const char* kept : {"raw_projects_file", "raw_projects_loaded_at"})
    EXPECT_NE(std::ranges::find(during, kept), during.end()) << kept;
  EXPECT_EQ(RawIndexes(*warehouse_, place_.engine()), before);
  EXPECT_EQ(ScalarText(*warehouse_, "SELECT count(*) FROM raw_postings WHERE frDd IS NULL"),
            std::to_string(kReloadTestPostings));
}

// A reader on another connection during a reload: where the reload drops
// indexes it holds raw_postings locked, so the reader waits and then counts
// the new rows; elsewhere (SQLite) it counts the old rows at once.
TEST_F(ReloaderTest, AReaderDuringAReloadWaitsForTheNewRowsOrSeesTheOldOnes) {
  ASSERT_TRUE(EnsureRawTables(*warehouse_).ok());
  ASSERT_TRUE(warehouse_->Execute("INSERT INTO raw_postings(jobId) VALUES('OLD')").ok());
  WriteLongLake();
  const bool rebuilds = warehouse_->traits().rebuilds_indexes_after_bulk_load();
  std::unique_ptr<Warehouse> reader_connection = place_.Open();
  ASSERT_NE(reader_connection, nullptr);
  std::atomic<bool> read_done = false;
  std::string counted;
  std::thread reader;
  transform::testing::SpyWarehouse spy(*warehouse_);
  OnFirstDetailStatement(spy, [&] {
    reader = std::thread([&] {
      counted = ScalarText(*reader_connection, "SELECT count(*) FROM raw_postings");
      read_done = true;
    });
    if (!rebuilds) {
      reader.join();
      return;
    }
    // Until the reader waits for the reload's lock (or, wrongly, has read).
    while (!read_done && ScalarText(*warehouse_,
                                    "SELECT count(*) FROM pg_locks WHERE NOT granted AND "
                                    "relation = 'raw_postings'::regclass") != "1") {
    }
  });
  auto stats = ReloadFromLake(Options(), spy);
  ASSERT_TRUE(reader.joinable() || read_done);
  if (reader.joinable()) reader.join();
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(counted, rebuilds ? std::to_string(kReloadTestPostings) : "1");
}

TEST_F(ReloaderTest, AReloadKilledHalfWayLeavesTheOldRowsAndTheOldIndexes) {
  ASSERT_TRUE(EnsureRawTables(*warehouse_).ok());
  ASSERT_TRUE(warehouse_->Execute("INSERT INTO raw_postings(jobId) VALUES('OLD')").ok());
  const std::vector<Row> before = RawIndexes(*warehouse_, place_.engine());
  WriteLongLake();
  int reached[2], never_written[2];
  ASSERT_EQ(pipe(reached), 0);
  ASSERT_EQ(pipe(never_written), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // Half way through the replay (the secondary indexes dropped where the
    // engine rebuilds them), says so and waits to be killed.
    std::unique_ptr<Warehouse> own = place_.Open();
    if (own == nullptr) _exit(2);
    transform::testing::SpyWarehouse spy(*own);
    OnFirstDetailStatement(spy, [&] {
      const char byte = '.';
      if (write(reached[1], &byte, 1) != 1) _exit(3);
      char never = 0;
      (void)!read(never_written[0], &never, 1);
      _exit(4);
    });
    (void)ReloadFromLake(Options(), spy);
    _exit(5);
  }
  close(reached[1]);
  char byte = 0;
  ASSERT_EQ(read(reached[0], &byte, 1), 1) << "the child's reload never reached its details";
  kill(child, SIGKILL);
  int wait_status = 0;
  ASSERT_EQ(waitpid(child, &wait_status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(wait_status)) << wait_status;
  close(reached[0]);
  close(never_written[0]);
  close(never_written[1]);

  std::unique_ptr<Warehouse> reopened = place_.Open();
  ASSERT_NE(reopened, nullptr);
  EXPECT_EQ(AllRows(*reopened, "SELECT jobId FROM raw_postings"),
            std::vector<Row>{{std::string("OLD")}});
  EXPECT_EQ(RawIndexes(*reopened, place_.engine()), before);
}

// A lake of three runs with every way a posting's records meet: answers
// and NODATA, a posting repeated across pages and runs, a changed list
// hash, a detail before its list item (in its run and across runs), a
// posting listed in one run and detailed in the next, an item without a
// jobId, and error responses the collector retried.
class ReloadRowsTest : public LakeFixture {
 protected:
  static constexpr const char* kLoadedAt = "2030-01-01T00:00:00Z";

  static std::string ListItem(const std::string& id, const std::string& title,
                              const std::string& organ = "N") {
    return fmt::format(
        "<item><jobId>{0}</jobId><recrtTitle>{1}</recrtTitle><organYn>{2}</organYn>"
        "<stmId>S{0}</stmId><frDd>20261101</frDd><toDd>20261130</toDd><listOnly>x</listOnly>"
        "</item>",
        id, title, organ);
  }
  static std::string Answer(const std::string& id, const std::string& title) {
    return fmt::format(
        "<item><jobId>{0}</jobId><wantedTitle>{1}</wantedTitle><organYn>Y</organYn>"
        "<stmId>D{0}</stmId><age>65</age><surprise>kept as extra</surprise></item>",
        id, title);
  }

  void ListPage(const std::vector<std::string>& items, const std::string& code = "00") {
    std::string body;
    for (const std::string& item : items) body += item;
    Append(kPostingsListDataset, "/B552474/SenuriService/getJobList?pageNo=1",
           SenuriBody(body, static_cast<int>(items.size()), code));
  }
  // An answer's item, or none for NODATA ("03") and errors.
  void Detail(const std::string& id, const std::string& item, const std::string& code = "00") {
    Append(kPostingsDetailDataset, "/B552474/SenuriService/getJobInfo?id=" + id,
           SenuriBody(item, item.empty() ? 0 : 1, code));
  }

  void WriteThreeRuns() {
    StartRun("20261201T000000Z-0001");
    ListPage({ListItem("P1", "one"), ListItem("P2", "two"), ListItem("P3", "three"),
              ListItem("P4", "four"), ListItem("P5", "five"), ListItem("P6", "six")});
    ListPage({}, "22");  // the quota answer, then the page retried:
    ListPage({ListItem("P5", "five again"), ListItem("P7", "seven"),
              "<item><recrtTitle>no id</recrtTitle></item>", ListItem("P8", "eight")});
    Detail("P9", Answer("P9", "nine, before its list item"));
    Detail("P1", Answer("P1", "one"));
    Detail("P2", "", "03");
    Detail("P3", Answer("P3", "three"));
    Detail("P5", Answer("P5", "five"));
    Detail("P6", "", "22");
    Detail("P6", Answer("P6", "six"));
    Detail("P3", Answer("P3", "three again"));
    StartRun("20261202T000000Z-0001");
    ListPage({ListItem("P1", "one"), ListItem("P2", "two changed", "Y"), ListItem("P9", "nine"),
              ListItem("P10", "ten")});
    Detail("P2", Answer("P2", "two"));
    Detail("P10", "", "03");
    Detail("P4", Answer("P4", "four, listed the run before"));
    StartRun("20261203T000000Z-0001");
    Detail("P11", Answer("P11", "eleven"));
    ListPage({ListItem("P11", "eleven"), ListItem("P1", "one")});
    Detail("P1", "", "03");
    Detail("P11", Answer("P11", "eleven again"));
    ASSERT_TRUE(writer_->Close().ok());
  }

  // What loading each record on its own through PostingsLoader leaves.
  std::vector<Row> LoadedOneByOne() {
    EXPECT_TRUE(EnsureRawTables(*warehouse_).ok());
    EXPECT_TRUE(warehouse_->Execute("DELETE FROM raw_postings").ok());
    PostingsLoader loader(*warehouse_);
    Status status =
        LakeReader(lake_.path().string())
            .ForEach({std::string(kPostingsListDataset), std::string(kPostingsDetailDataset)},
                     [&](const LakeRecord& record) -> Status { return LoadOne(loader, record); });
    EXPECT_TRUE(status.ok()) << status.ToString();
    return Postings();
  }

  static Status LoadOne(PostingsLoader& loader, const LakeRecord& record) {
    auto page = ParseSenuriXml(record.body, record.http_status, record.request);
    if (!page.ok()) return Status::Ok();  // retried by the collector
    const LoadStamp stamp{record.run_id, kLoadedAt};
    if (record.dataset == kPostingsListDataset) return loader.LoadListPage(*page, stamp).status();
    const std::string id = record.request.substr(record.request.find("id=") + 3);
    const DetailResult detail[] = {{id, std::move(page).value()}};
    return loader.LoadDetails(detail, stamp).status();
  }

  std::vector<Row> Postings() {
    return AllRows(*warehouse_, "SELECT * FROM raw_postings ORDER BY jobId");
  }

  bool AppendsNewRows() const { return warehouse_->traits().statements_are_round_trips(); }

  Result<ReloadStats> Reload(size_t held_list_bytes, size_t max_tracked_ids = kMaxTrackedIds) {
    return ReloadFromLake({.lake_root = lake_.path().string(),
                           .loaded_at = kLoadedAt,
                           .held_list_bytes = held_list_bytes,
                           .max_tracked_ids = max_tracked_ids},
                          *warehouse_);
  }
};

TEST_F(ReloadRowsTest, EachPostingWrittenOnceEqualsLoadingRecordByRecord) {
  WriteThreeRuns();
  const std::vector<Row> expected = LoadedOneByOne();
  ASSERT_EQ(expected.size(), 11u);
  auto stats = Reload(kDefaultHeldListBytes);
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  // Every detail but P9's and P11's (before their list items) and P3's
  // second (its row already written) completes a held list row; NODATA too.
  EXPECT_EQ(stats->postings_written_once, 10);
  // Of those, P2's and P1's second rows and P11's (its detail came first)
  // rewrite ids already written: the other 7 are appended as new rows
  // (where statements are round trips; SQLite upserts them all).
  EXPECT_EQ(stats->postings_appended, AppendsNewRows() ? 7 : 0);
  EXPECT_EQ(stats->details, 13);
  EXPECT_EQ(stats->skipped_errors, 2);
  EXPECT_EQ(Postings(), expected);
}

TEST_F(ReloadRowsTest, HeldListRowsPastTheirBoundAreWrittenAndTheRowsStayTheSame) {
  WriteThreeRuns();
  const std::vector<Row> expected = LoadedOneByOne();
  // Past the bound after every page: every list row is written on its own.
  auto spilled = Reload(1);
  ASSERT_TRUE(spilled.ok()) << spilled.status().ToString();
  EXPECT_EQ(spilled->postings_written_once, 0);
  EXPECT_EQ(spilled->postings_appended, 0);
  EXPECT_EQ(Postings(), expected);
  // Past it after some pages only.
  auto some = Reload(1200);
  ASSERT_TRUE(some.ok()) << some.status().ToString();
  EXPECT_GT(some->postings_written_once, 0);
  EXPECT_LT(some->postings_written_once, 10);
  EXPECT_LE(some->postings_appended, some->postings_written_once);
  EXPECT_EQ(Postings(), expected);
}

TEST_F(ReloadRowsTest, PastItsBoundOfWrittenIdsTheReplayUpsertsAndTheRowsStayTheSame) {
  WriteThreeRuns();
  const std::vector<Row> expected = LoadedOneByOne();
  // P9 (its detail, first), P1 and P2 fill the bound of 3; from P3 on every
  // completed row goes through Upsert.
  auto bounded = Reload(kDefaultHeldListBytes, 3);
  ASSERT_TRUE(bounded.ok()) << bounded.status().ToString();
  EXPECT_EQ(bounded->postings_written_once, 10);
  EXPECT_EQ(bounded->postings_appended, AppendsNewRows() ? 2 : 0);
  EXPECT_EQ(Postings(), expected);

  auto untracked = Reload(kDefaultHeldListBytes, 0);
  ASSERT_TRUE(untracked.ok()) << untracked.status().ToString();
  EXPECT_EQ(untracked->postings_appended, 0);
  EXPECT_EQ(Postings(), expected);
}

// A projects document after postings appended as new rows: the projects
// writes wait for the postings' stream to end (the warehouse refuses other
// statements while it is open), and both tables come out whole.
TEST_F(ReloadRowsTest, ProjectsRecordsAfterAppendedPostingsEndTheStreamFirst) {
  WriteThreeRuns();
  const std::vector<Row> expected = LoadedOneByOne();
  constexpr const char* kFile = "f0000000-0000-0000-0000-00000000000f";
  const nlohmann::json document = {
      {"swagger", "2.0"},
      {"host", "api.odcloud.kr"},
      {"basePath", "/api/15050148/v1"},
      {"paths",
       {{std::string("/uddi:") + kFile,
         {{"get", {{"summary", "한국노인인력개발원_노인일자리사업 통합정보_20250630"}}}}}}}};
  StartRun("20261204T000000Z-0001");
  ListPage({ListItem("P12", "twelve")});
  Detail("P12", Answer("P12", "twelve"));
  Append(kProjectsDocumentDataset, "/oas/docs?namespace=15050148/v1", document.dump());
  ASSERT_TRUE(writer_->Close().ok());

  auto stats = Reload(kDefaultHeldListBytes);
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->postings_appended, AppendsNewRows() ? 8 : 0);
  std::vector<Row> postings = Postings();
  const auto twelve = std::find_if(postings.begin(), postings.end(),
                                   [](const Row& row) { return row.front() == Value("P12"); });
  ASSERT_NE(twelve, postings.end());
  postings.erase(twelve);
  EXPECT_EQ(postings, expected);
  auto files = ReadProjectFiles(*warehouse_);
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  EXPECT_TRUE(files->contains(kFile));
}

}  // namespace
}  // namespace silverwork
