#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <thread>

#include "lake/lake.h"
#include "lake/lake_test_util.h"
#include "scoped_temp_dir.h"

namespace silverwork {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kRun[] = "20261125T160102Z-1a2b";

std::string AllBytes() {
  std::string bytes;
  for (int repeat = 0; repeat < 3; ++repeat) {
    for (int value = 0; value < 256; ++value) bytes.push_back(static_cast<char>(value));
  }
  return bytes;
}

TEST(LakeWriterTest, AppendsAndReadsBackByteExact) {
  ScopedTempDir dir;
  const std::string korean =
      "<response><item><recrtTitle>요양보호사 모집 (주 5일)</recrtTitle>"
      "<workPlcNm>서울특별시 강남구</workPlcNm></item></response>";
  std::string large;
  for (int index = 0; large.size() < (1 << 20); ++index) large += std::to_string(index * 7919);
  const std::vector<std::string> bodies = {korean, AllBytes(), std::string(), large};
  {
    auto writer = OpenWriter(dir.path().string(), kRun);
    for (size_t index = 0; index < bodies.size(); ++index) {
      LakeRecord record = MakeRecord("postings_list", "2026-11-25T16:01:02Z", bodies[index],
                                     "/getJobList?pageNo=" + std::to_string(index + 1));
      record.http_status = 200 + static_cast<int>(index);
      auto seq = writer->Append(record);
      ASSERT_TRUE(seq.ok()) << seq.status().ToString();
      EXPECT_EQ(*seq, static_cast<int64_t>(index + 1));
    }
    ASSERT_TRUE(writer->Close().ok());
  }
  LakeStats stats;
  auto records = ReadAll(dir.path().string(), {}, &stats);
  ASSERT_EQ(records.size(), bodies.size());
  for (size_t index = 0; index < bodies.size(); ++index) {
    EXPECT_EQ(records[index].body, bodies[index]) << index;
    EXPECT_EQ(records[index].seq, static_cast<int64_t>(index + 1));
    EXPECT_EQ(records[index].dataset, "postings_list");
    EXPECT_EQ(records[index].run_id, kRun);
    EXPECT_EQ(records[index].request, "/getJobList?pageNo=" + std::to_string(index + 1));
    EXPECT_EQ(records[index].http_status, 200 + static_cast<int>(index));
    EXPECT_EQ(records[index].fetched_at, "2026-11-25T16:01:02Z");
  }
  EXPECT_EQ(stats.records, 4);
  EXPECT_EQ(stats.skipped_torn, 0);
  EXPECT_EQ(stats.raw_bytes,
            static_cast<int64_t>(korean.size() + AllBytes().size() + large.size()));
  EXPECT_GT(stats.compressed_bytes, 0);
  EXPECT_LT(stats.compressed_bytes, stats.raw_bytes);
}

TEST(LakeWriterTest, PartitionsByDatasetAndUtcFetchDay) {
  ScopedTempDir dir;
  {
    auto writer = OpenWriter(dir.path().string(), kRun);
    ASSERT_TRUE(writer->Append(MakeRecord("postings_list", "2026-11-25T23:59:59Z", "a")).ok());
    ASSERT_TRUE(writer->Append(MakeRecord("postings_list", "2026-11-26T00:00:01Z", "b")).ok());
    ASSERT_TRUE(writer->Append(MakeRecord("projects", "2026-11-25T10:00:00Z", "c")).ok());
    ASSERT_TRUE(writer->Sync().ok());
  }
  const fs::path& root = dir.path();
  const std::string run = std::string("run=") + kRun;
  for (const fs::path& partition : {root / "postings_list" / "dt=2026-11-25" / run,
                                    root / "postings_list" / "dt=2026-11-26" / run,
                                    root / "projects" / "dt=2026-11-25" / run}) {
    EXPECT_TRUE(fs::exists(partition / "part-00000.zst")) << partition;
    EXPECT_TRUE(fs::exists(partition / "part-00000.manifest.jsonl")) << partition;
  }
  EXPECT_FALSE(fs::exists(root / "projects" / "dt=2026-11-26"));
  const std::string manifest =
      ReadFile((root / "projects" / "dt=2026-11-25" / run / "part-00000.manifest.jsonl").string());
  for (const char* field : {"\"seq\":3", "\"offset\":0", "\"length\":", "\"raw_size\":1",
                            "\"crc32\":", "\"request\":", "\"http_status\":200",
                            R"("fetched_at":"2026-11-25T10:00:00Z")", R"("dataset":"projects")",
                            R"("run_id":"20261125T160102Z-1a2b")"}) {
    EXPECT_THAT(manifest, HasSubstr(field));
  }
  EXPECT_EQ(manifest.back(), '\n');
}

TEST(LakeWriterTest, RollsPartsAtPartBytes) {
  ScopedTempDir dir;
  std::vector<std::string> bodies;
  {
    auto writer = OpenWriter(dir.path().string(), kRun, /*part_bytes=*/2048);
    for (int index = 0; index < 30; ++index) {
      // Poorly compressible, so each frame is several hundred bytes.
      std::string body;
      uint32_t state = static_cast<uint32_t>(index + 1) * 2654435761u;
      for (int byte = 0; byte < 700; ++byte) {
        state = state * 1103515245u + 12345u;
        body.push_back(static_cast<char>(state >> 24));
      }
      bodies.push_back(body);
      ASSERT_TRUE(writer->Append(MakeRecord("postings_detail", "2026-11-25T01:00:00Z", body)).ok());
    }
  }
  const fs::path partition =
      dir.path() / "postings_detail" / "dt=2026-11-25" / (std::string("run=") + kRun);
  int parts = 0;
  for (const auto& entry : fs::directory_iterator(partition)) {
    if (entry.path().extension() == ".zst") {
      ++parts;
      EXPECT_LE(fs::file_size(entry.path()), 2048u) << entry.path();
    }
  }
  EXPECT_GE(parts, 10);
  EXPECT_TRUE(fs::exists(partition / "part-00010.zst"));
  auto records = ReadAll(dir.path().string());
  ASSERT_EQ(records.size(), bodies.size());
  for (size_t index = 0; index < bodies.size(); ++index) {
    EXPECT_EQ(records[index].seq, static_cast<int64_t>(index + 1));
    EXPECT_EQ(records[index].body, bodies[index]);
  }
}

TEST(LakeWriterTest, ConcurrentAppendsFromEightThreads) {
  ScopedTempDir dir;
  constexpr int kThreads = 8;
  constexpr int kPerThread = 500;
  std::vector<std::vector<int64_t>> seqs(kThreads);
  {
    auto writer = OpenWriter(dir.path().string(), kRun, /*part_bytes=*/16 << 10);
    std::vector<std::thread> threads;
    threads.reserve(kThreads);
    for (int thread = 0; thread < kThreads; ++thread) {
      threads.emplace_back([&, thread] {
        for (int index = 0; index < kPerThread; ++index) {
          const std::string dataset = index % 2 == 0 ? "postings_list" : "postings_detail";
          const std::string body = "thread " + std::to_string(thread) + " record " +
                                   std::to_string(index) + " " + std::string(index % 97, 'x');
          auto seq = writer->Append(MakeRecord(dataset, "2026-11-25T01:00:00Z", body));
          ASSERT_TRUE(seq.ok()) << seq.status().ToString();
          seqs[thread].push_back(*seq);
        }
      });
    }
    for (auto& thread : threads) thread.join();
    ASSERT_TRUE(writer->Close().ok());
  }
  std::set<int64_t> assigned;
  for (const auto& list : seqs) {
    EXPECT_TRUE(std::is_sorted(list.begin(), list.end()));  // per thread: Append order
    assigned.insert(list.begin(), list.end());
  }
  EXPECT_EQ(assigned.size(), static_cast<size_t>(kThreads * kPerThread));
  EXPECT_EQ(*assigned.begin(), 1);
  EXPECT_EQ(*assigned.rbegin(), kThreads * kPerThread);

  auto records = ReadAll(dir.path().string());
  ASSERT_EQ(records.size(), static_cast<size_t>(kThreads * kPerThread));
  std::set<std::string> bodies;
  for (size_t index = 0; index < records.size(); ++index) {
    EXPECT_EQ(records[index].seq, static_cast<int64_t>(index + 1));  // replay in seq order
    bodies.insert(records[index].body);
  }
  EXPECT_EQ(bodies.size(), records.size());
  EXPECT_TRUE(bodies.count("thread 7 record 499 " + std::string(499 % 97, 'x')));
}

TEST(LakeWriterTest, RejectsRequestsThatStillCarryTheServiceKey) {
  ScopedTempDir dir;
  auto writer = OpenWriter(dir.path().string(), kRun);
  for (const char* request :
       {"/getJobList?serviceKey=SECRET123&pageNo=1", "/getJobList?pageNo=1&ServiceKey=SECRET123",
        "/x?SERVICEKEY=SECRET123"}) {
    auto seq = writer->Append(MakeRecord("postings_list", "2026-11-25T01:00:00Z", "b", request));
    EXPECT_EQ(seq.status().code(), ErrorCode::kInvalidInput) << request;
    EXPECT_THAT(seq.status().ToString(), Not(HasSubstr("SECRET123")));
  }
  ASSERT_TRUE(writer->Close().ok());
  EXPECT_TRUE(ReadAll(dir.path().string()).empty());
}

TEST(LakeWriterTest, ValidatesNamesAndTimestamps) {
  ScopedTempDir dir;
  const std::string root = dir.path().string();
  for (const char* run_id : {"", ".", "..", "../escape", "a/b", "run id", "런"}) {
    EXPECT_EQ(LakeWriter::Open({.root = root, .run_id = run_id}).status().code(),
              ErrorCode::kInvalidInput)
        << run_id;
  }
  EXPECT_EQ(LakeWriter::Open({.root = root, .run_id = kRun, .part_bytes = 0}).status().code(),
            ErrorCode::kInvalidInput);

  auto writer = OpenWriter(root, kRun);
  EXPECT_EQ(writer->Append(MakeRecord("../up", "2026-11-25T01:00:00Z", "b")).status().code(),
            ErrorCode::kInvalidInput);
  EXPECT_EQ(writer->Append(MakeRecord("", "2026-11-25T01:00:00Z", "b")).status().code(),
            ErrorCode::kInvalidInput);
  for (const char* fetched_at : {"", "20261125T010000Z", "2026-02-30T00:00:00Z", "yesterday"}) {
    EXPECT_EQ(writer->Append(MakeRecord("projects", fetched_at, "b")).status().code(),
              ErrorCode::kInvalidInput)
        << fetched_at;
  }
  // A rejected record does not consume a seq.
  EXPECT_EQ(*writer->Append(MakeRecord("projects", "2026-11-25T01:00:00Z", "b")), 1);
}

TEST(LakeWriterTest, RunIdsAreNeverReused) {
  ScopedTempDir dir;
  const std::string root = dir.path().string();
  {
    auto writer = OpenWriter(root, kRun);
    ASSERT_TRUE(writer->Append(MakeRecord("projects", "2026-11-25T01:00:00Z", "b")).ok());
  }
  auto again = LakeWriter::Open({.root = root, .run_id = kRun});
  EXPECT_EQ(again.status().code(), ErrorCode::kInvalidInput);
  EXPECT_THAT(again.status().message(), HasSubstr(kRun));
}

TEST(LakeWriterTest, AppendAfterCloseFails) {
  ScopedTempDir dir;
  auto writer = OpenWriter(dir.path().string(), kRun);
  ASSERT_TRUE(writer->Close().ok());
  EXPECT_TRUE(writer->Close().ok());
  EXPECT_FALSE(writer->Append(MakeRecord("projects", "2026-11-25T01:00:00Z", "b")).ok());
}

TEST(LakeWriterTest, SyncWithFsyncEnabled) {
  ScopedTempDir dir;
  auto writer = LakeWriter::Open({.root = (dir.path() / "new" / "lake").string(),
                                  .run_id = kRun,
                                  .part_bytes = 256,
                                  .fsync = true});
  ASSERT_TRUE(writer.ok()) << writer.status().ToString();
  for (int index = 0; index < 20; ++index) {
    ASSERT_TRUE((*writer)
                    ->Append(MakeRecord(index % 2 ? "projects" : "postings_list",
                                        "2026-11-25T01:00:00Z", AllBytes()))
                    .ok());
    if (index % 5 == 0) {
      ASSERT_TRUE((*writer)->Sync().ok());
    }
  }
  ASSERT_TRUE((*writer)->Close().ok());
  EXPECT_EQ(ReadAll((dir.path() / "new" / "lake").string()).size(), 20u);
}

}  // namespace
}  // namespace silverwork
