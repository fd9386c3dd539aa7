// The projects half of a reload, on a lake written by hand: a file's
// collection completes on the page where the collector's checkpoint passed
// its last page, never earlier, so the reload leaves the same rows.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "ingest/reloader.h"
#include "ingest_harness.h"

namespace silverwork::testing {
namespace {

constexpr const char* kFile = "f0000000-0000-0000-0000-00000000000f";
constexpr int64_t kPerPage = 2;
constexpr int64_t kRows = 5;  // three pages

std::string Document(const std::string& date) {
  nlohmann::json document = {
      {"swagger", "2.0"},
      {"host", "api.odcloud.kr"},
      {"basePath", "/api/15050148/v1"},
      {"paths",
       {{std::string("/uddi:") + kFile,
         {{"get", {{"summary", "한국노인인력개발원_노인일자리사업 통합정보_" + date}}}}}}}};
  return document.dump();
}

std::string PageBody(int64_t page, const std::string& edition, int64_t rows) {
  nlohmann::json data = nlohmann::json::array();
  for (int64_t row = (page - 1) * kPerPage; row < std::min(rows, page * kPerPage); ++row) {
    data.push_back({{"사업번호", "2025-0000" + std::to_string(row + 1)},
                    {"사업년도", 2025},
                    {"사업계획변경순번", 1},
                    {"사업명", edition}});
  }
  return nlohmann::json{{"page", page},
                        {"perPage", kPerPage},
                        {"totalCount", rows},
                        {"currentCount", data.size()},
                        {"data", data}}
      .dump();
}

std::string PageRequest(int64_t page) {
  return std::string("/api/15050148/v1/uddi:") + kFile + "?page=" + std::to_string(page) +
         "&perPage=" + std::to_string(kPerPage) + "&returnType=JSON";
}

class HandWrittenLake {
 public:
  explicit HandWrittenLake(std::string root) : root_(std::move(root)) {}

  // Lands one run's responses, in order.
  void Run(const std::string& run_id, const std::vector<LakeRecord>& records) {
    auto writer = LakeWriter::Open({.root = root_, .run_id = run_id, .fsync = false});
    ASSERT_TRUE(writer.ok()) << writer.status().ToString();
    for (LakeRecord record : records) {
      record.fetched_at = "2025-07-0" + std::to_string(++records_ % 9 + 1) + "T00:00:00Z";
      ASSERT_TRUE((*writer)->Append(record).ok());
    }
    ASSERT_TRUE((*writer)->Close().ok());
  }

 private:
  std::string root_;
  int records_ = 0;
};

LakeRecord DocumentRecord(const std::string& date) {
  return {.dataset = "projects_document",
          .request = "/oas/docs?namespace=15050148/v1",
          .http_status = 200,
          .body = Document(date)};
}
LakeRecord PageRecord(int64_t page, const std::string& edition = "first", int64_t rows = kRows) {
  return {.dataset = "projects",
          .request = PageRequest(page),
          .http_status = 200,
          .body = PageBody(page, edition, rows)};
}
LakeRecord FailedPage(int64_t page) {
  return {.dataset = "projects",
          .request = PageRequest(page),
          .http_status = 503,
          .body = "<html>503</html>"};
}

struct Rebuilt {
  std::unique_ptr<Warehouse> warehouse;
  ProjectFileRecord record;
  ReloadStats stats;
};

Rebuilt Reload(const TempDir& dir, const std::string& name) {
  Rebuilt rebuilt;
  auto opened = OpenWarehouse({.engine = "sqlite", .location = dir.path() + "/" + name + ".db"});
  EXPECT_TRUE(opened.ok());
  rebuilt.warehouse = std::move(opened).value();
  auto stats = ReloadFromLake(
      {.lake_root = dir.path() + "/lake", .loaded_at = "2030-01-01T00:00:00Z"}, *rebuilt.warehouse);
  EXPECT_TRUE(stats.ok()) << stats.status().ToString();
  if (stats.ok()) rebuilt.stats = *stats;
  auto files = ReadProjectFiles(*rebuilt.warehouse);
  EXPECT_TRUE(files.ok());
  if (files.ok() && files->contains(kFile)) rebuilt.record = files->at(kFile);
  return rebuilt;
}

int64_t Count(Warehouse& warehouse, const std::string& where) {
  auto result = warehouse.QueryAll("SELECT COUNT(*) FROM raw_projects WHERE " + where);
  EXPECT_TRUE(result.ok());
  return std::get<int64_t>(result->rows.at(0).at(0));
}

TEST(ProjectsReplay, CompletesAFileWhereTheCollectorsCheckpointPassedItsLastPage) {
  TempDir dir;
  HandWrittenLake lake(dir.path() + "/lake");
  // Run 1: page 2 of the batch {2, 3} failed, so the checkpoint stayed at 2
  // although page 3 was loaded.
  lake.Run("r1", {DocumentRecord("20250101"), PageRecord(1), PageRecord(3), FailedPage(2)});
  // Run 2 starts at the checkpoint: page 2 arrived, page 3 failed this time.
  // Every page has now been loaded once, but the collector has not passed
  // page 3: the collection is still in progress.
  lake.Run("r2", {DocumentRecord("20250101"), PageRecord(2), FailedPage(3)});
  Rebuilt after_two = Reload(dir, "two");
  EXPECT_EQ(after_two.record.pass_started_by, "r1");
  EXPECT_TRUE(after_two.record.content_hash.empty());
  EXPECT_EQ(after_two.stats.skipped_errors, 2);
  EXPECT_EQ(Count(*after_two.warehouse, "_file_pass = 'r1'"), kRows);

  // Run 3 loads page 3 and completes the file.
  lake.Run("r3", {DocumentRecord("20250101"), PageRecord(3)});
  Rebuilt after_three = Reload(dir, "three");
  EXPECT_TRUE(after_three.record.pass_started_by.empty());
  EXPECT_EQ(after_three.record.collected_by, "r3");
  EXPECT_EQ(after_three.record.row_count, kRows);
  EXPECT_EQ(after_three.record.file_year, 2025);
  EXPECT_EQ(Count(*after_three.warehouse, "_file_year = '2025'"), kRows);
}

TEST(ProjectsReplay, ANewEditionStartsOverAndReplacesTheOldRows) {
  TempDir dir;
  HandWrittenLake lake(dir.path() + "/lake");
  lake.Run("r1", {DocumentRecord("20250101"), PageRecord(1), PageRecord(2), PageRecord(3)});
  // Run 2 stops after page 2 of the same edition; run 3 sees a new date and
  // reads the new, shorter edition (two pages) from page 1: the old
  // edition's progress must not complete it.
  lake.Run("r2", {DocumentRecord("20250101"), PageRecord(1), PageRecord(2)});
  lake.Run("r3", {DocumentRecord("20250301"), PageRecord(1, "second", 3), FailedPage(2)});
  Rebuilt in_progress = Reload(dir, "progress");
  EXPECT_EQ(in_progress.record.pass_started_by, "r3");
  EXPECT_EQ(in_progress.record.collected_by, "r1");
  EXPECT_EQ(in_progress.record.published_on, Date::FromYmd(2025, 3, 1));
  lake.Run("r4", {DocumentRecord("20250301"), PageRecord(2, "second", 3)});
  Rebuilt done = Reload(dir, "done");
  EXPECT_EQ(done.record.collected_by, "r4");
  EXPECT_EQ(done.record.row_count, 3);
  EXPECT_EQ(Count(*done.warehouse, "projNm = 'second' AND _file_pass = 'r3'"), 3);
  EXPECT_EQ(Count(*done.warehouse, "projNm = 'first'"), 0) << "the old edition's rows are gone";
}

TEST(ProjectsReplay, A404MarksTheFileUnpublished) {
  TempDir dir;
  HandWrittenLake lake(dir.path() + "/lake");
  lake.Run("r1", {DocumentRecord("20250101"), PageRecord(1), PageRecord(2), PageRecord(3)});
  lake.Run("r2", {{.dataset = "projects",
                   .request = PageRequest(1),
                   .http_status = 404,
                   .body = R"({"code":-4,"msg":"등록되지 않은 인증키 입니다."})"}});
  Rebuilt rebuilt = Reload(dir, "gone");
  EXPECT_EQ(rebuilt.record.published, false);
  EXPECT_EQ(rebuilt.record.row_count, kRows);
  EXPECT_EQ(Count(*rebuilt.warehouse, "1 = 1"), kRows) << "its rows are kept";
}

}  // namespace
}  // namespace silverwork::testing
