#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "lake/lake.h"
#include "lake/lake_test_util.h"
#include "scoped_temp_dir.h"

namespace silverwork {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kEarly[] = "20261125T100000Z-aaaa";
constexpr char kLate[] = "20261125T110000Z-0000";

std::string PartitionOf(const ScopedTempDir& dir, const std::string& dataset,
                        const std::string& day, const std::string& run) {
  return (dir.path() / dataset / ("dt=" + day) / ("run=" + run)).string();
}

// Three records of run kEarly in postings_list on 2026-11-25; returns the
// partition directory.
std::string WriteThree(const ScopedTempDir& dir) {
  auto writer = OpenWriter(dir.path().string(), kEarly);
  for (const char* body : {"one", "two", "three"}) {
    EXPECT_TRUE(writer->Append(MakeRecord("postings_list", "2026-11-25T01:00:00Z", body)).ok());
  }
  EXPECT_TRUE(writer->Close().ok());
  return PartitionOf(dir, "postings_list", "2026-11-25", kEarly);
}

std::vector<std::string> Bodies(const std::vector<LakeRecord>& records) {
  std::vector<std::string> bodies;
  bodies.reserve(records.size());
  for (const LakeRecord& record : records) bodies.push_back(record.body);
  return bodies;
}

TEST(LakeReaderTest, ReplaysRunsInOrderAndEachRunBySeqAcrossDatasetsAndDays) {
  ScopedTempDir dir;
  const std::string root = dir.path().string();
  // The later run is written first: replay order comes from run ids, not mtimes.
  {
    auto late = OpenWriter(root, kLate);
    ASSERT_TRUE(late->Append(MakeRecord("projects", "2026-11-25T11:00:00Z", "late-1")).ok());
    ASSERT_TRUE(late->Append(MakeRecord("postings_list", "2026-11-25T11:00:01Z", "late-2")).ok());
  }
  {
    auto early = OpenWriter(root, kEarly);
    ASSERT_TRUE(early->Append(MakeRecord("postings_list", "2026-11-25T23:59:58Z", "early-1")).ok());
    ASSERT_TRUE(early->Append(MakeRecord("projects", "2026-11-25T23:59:59Z", "early-2")).ok());
    ASSERT_TRUE(
        early->Append(MakeRecord("postings_detail", "2026-11-26T00:00:00Z", "early-3")).ok());
    ASSERT_TRUE(early->Append(MakeRecord("postings_list", "2026-11-26T00:00:01Z", "early-4")).ok());
    ASSERT_TRUE(early->Append(MakeRecord("postings_list", "2026-11-25T23:59:58Z", "early-5")).ok());
  }
  auto records = ReadAll(root);
  EXPECT_THAT(Bodies(records), ElementsAre("early-1", "early-2", "early-3", "early-4", "early-5",
                                           "late-1", "late-2"));
  EXPECT_EQ(records[4].seq, 5);
  EXPECT_EQ(records[5].run_id, kLate);
  EXPECT_EQ(records[5].seq, 1);

  auto runs = LakeReader(root).Runs();
  ASSERT_TRUE(runs.ok());
  EXPECT_THAT(*runs, ElementsAre(kEarly, kLate));
}

TEST(LakeReaderTest, FiltersByDataset) {
  ScopedTempDir dir;
  const std::string root = dir.path().string();
  {
    auto writer = OpenWriter(root, kEarly);
    ASSERT_TRUE(writer->Append(MakeRecord("postings_list", "2026-11-25T01:00:00Z", "list")).ok());
    ASSERT_TRUE(writer->Append(MakeRecord("projects", "2026-11-25T01:00:00Z", "project")).ok());
    ASSERT_TRUE(
        writer->Append(MakeRecord("postings_detail", "2026-11-25T01:00:00Z", "detail")).ok());
  }
  EXPECT_THAT(Bodies(ReadAll(root, {"projects"})), ElementsAre("project"));
  EXPECT_THAT(Bodies(ReadAll(root, {"postings_detail", "postings_list"})),
              ElementsAre("list", "detail"));
  EXPECT_TRUE(ReadAll(root, {"unknown"}).empty());
}

TEST(LakeReaderTest, IgnoresATornManifestTail) {
  ScopedTempDir dir;
  const std::string partition = WriteThree(dir);
  const std::string manifest = partition + "/part-00000.manifest.jsonl";
  WriteFile(manifest, ReadFile(manifest) + R"({"seq":4,"offset":1)");
  LakeStats stats;
  EXPECT_THAT(Bodies(ReadAll(dir.path().string(), {}, &stats)), ElementsAre("one", "two", "three"));
  EXPECT_EQ(stats.skipped_torn, 1);
  EXPECT_EQ(stats.records, 3);
}

TEST(LakeReaderTest, ABrokenLineBeforeTheEndIsCorruption) {
  ScopedTempDir dir;
  const std::string partition = WriteThree(dir);
  const std::string manifest = partition + "/part-00000.manifest.jsonl";
  std::string text = ReadFile(manifest);
  text.insert(text.find('\n') + 1, "{not json\n");
  WriteFile(manifest, text);
  Status status =
      LakeReader(dir.path().string()).ForEach({}, [](const LakeRecord&) { return Status::Ok(); });
  EXPECT_EQ(status.code(), ErrorCode::kCorrupt);
  EXPECT_THAT(status.message(), HasSubstr("part-00000.manifest.jsonl line 2"));
}

TEST(LakeReaderTest, IgnoresATornFrame) {
  ScopedTempDir dir;
  const std::string partition = WriteThree(dir);
  const std::string part = partition + "/part-00000.zst";
  // The writer died while writing the last frame: its manifest line made it
  // (as it would if the OS lost the frame's tail), the frame did not.
  fs::resize_file(part, fs::file_size(part) - 3);
  LakeStats stats;
  EXPECT_THAT(Bodies(ReadAll(dir.path().string(), {}, &stats)), ElementsAre("one", "two"));
  EXPECT_EQ(stats.skipped_torn, 1);
}

TEST(LakeReaderTest, IgnoresAFrameWithoutAManifestLine) {
  ScopedTempDir dir;
  const std::string partition = WriteThree(dir);
  const std::string part = partition + "/part-00000.zst";
  WriteFile(part, ReadFile(part) + "half a frame");
  LakeStats stats;
  EXPECT_THAT(Bodies(ReadAll(dir.path().string(), {}, &stats)), ElementsAre("one", "two", "three"));
  EXPECT_EQ(stats.skipped_torn, 0);  // invisible: no manifest line points at it
}

TEST(LakeReaderTest, DetectsACrcMismatch) {
  ScopedTempDir dir;
  const std::string partition = WriteThree(dir);
  const std::string manifest = partition + "/part-00000.manifest.jsonl";
  std::string text = ReadFile(manifest);
  // Change the second record's crc32 to a wrong value.
  const size_t second_line = text.find('\n') + 1;
  const size_t crc = text.find("\"crc32\":", second_line) + 8;
  const size_t crc_end = text.find(',', crc);
  text.replace(crc, crc_end - crc, "12345");
  WriteFile(manifest, text);

  std::vector<std::string> seen;
  Status status = LakeReader(dir.path().string()).ForEach({}, [&seen](const LakeRecord& record) {
    seen.push_back(record.body);
    return Status::Ok();
  });
  EXPECT_EQ(status.code(), ErrorCode::kCorrupt);
  EXPECT_THAT(status.message(), HasSubstr("crc32 mismatch"));
  EXPECT_THAT(status.message(), HasSubstr("seq 2"));
  EXPECT_THAT(status.message(), HasSubstr("part-00000.zst"));
  EXPECT_THAT(seen, ElementsAre("one"));
}

TEST(LakeReaderTest, DetectsADamagedFrame) {
  ScopedTempDir dir;
  const std::string partition = WriteThree(dir);
  const std::string part = partition + "/part-00000.zst";
  std::string bytes = ReadFile(part);
  bytes[bytes.size() - 6] ^= 0x5A;  // inside the last frame
  WriteFile(part, bytes);
  Status status =
      LakeReader(dir.path().string()).ForEach({}, [](const LakeRecord&) { return Status::Ok(); });
  EXPECT_EQ(status.code(), ErrorCode::kCorrupt);
  EXPECT_THAT(status.message(), HasSubstr("seq 3"));
}

TEST(LakeReaderTest, CallbackErrorStopsTheReplay) {
  ScopedTempDir dir;
  WriteThree(dir);
  int calls = 0;
  Status status = LakeReader(dir.path().string()).ForEach({}, [&calls](const LakeRecord&) {
    ++calls;
    return Status(ErrorCode::kCancelled, "stop");
  });
  EXPECT_EQ(status.code(), ErrorCode::kCancelled);
  EXPECT_EQ(calls, 1);
}

TEST(LakeReaderTest, MissingLakeIsNotFound) {
  ScopedTempDir dir;
  LakeReader reader((dir.path() / "nowhere").string());
  EXPECT_TRUE(reader.Runs().status().IsNotFound());
  EXPECT_TRUE(reader.ForEach({}, [](const LakeRecord&) { return Status::Ok(); }).IsNotFound());
}

TEST(LakeReaderTest, IgnoresUnrelatedFilesAndDirectories) {
  ScopedTempDir dir;
  const std::string partition = WriteThree(dir);
  WriteFile((dir.path() / "README").string(), "notes");
  fs::create_directories(dir.path() / "postings_list" / "scratch");
  fs::create_directories(dir.path() / ".hidden" / "dt=2026-11-25" / "run=x");
  WriteFile(partition + "/notes.txt", "x");
  EXPECT_THAT(Bodies(ReadAll(dir.path().string())), ElementsAre("one", "two", "three"));
}

TEST(LakeReaderTest, StreamsAHundredThousandRecords) {
  ScopedTempDir dir;
  const std::string root = dir.path().string();
  constexpr int kRecords = 100'000;
  const char* datasets[] = {"postings_list", "postings_detail", "projects"};
  {
    auto writer = OpenWriter(root, kEarly, /*part_bytes=*/256 << 10);
    for (int index = 0; index < kRecords; ++index) {
      // Two fetch days, three datasets: six partitions to merge.
      const char* fetched_at =
          index < kRecords / 2 ? "2026-11-25T23:00:00Z" : "2026-11-26T01:00:00Z";
      auto seq = writer->Append(MakeRecord(datasets[index % 3], fetched_at,
                                           "<item><id>" + std::to_string(index) + "</id></item>"));
      ASSERT_TRUE(seq.ok()) << seq.status().ToString();
    }
  }
  int64_t expected_seq = 1;
  LakeStats stats;
  Status status = LakeReader(root).ForEach(
      {},
      [&expected_seq](const LakeRecord& record) {
        if (record.seq != expected_seq) {
          return Status(ErrorCode::kInternal, "out of order at seq " + std::to_string(record.seq));
        }
        if (record.body != "<item><id>" + std::to_string(expected_seq - 1) + "</id></item>") {
          return Status(ErrorCode::kInternal, "wrong body at seq " + std::to_string(record.seq));
        }
        ++expected_seq;
        return Status::Ok();
      },
      &stats);
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(stats.records, kRecords);
  EXPECT_EQ(expected_seq, kRecords + 1);
}

}  // namespace
}  // namespace silverwork
