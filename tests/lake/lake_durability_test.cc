// What the lake makes durable, and when: watched through RecordingFileSystem,
// which answers what a power cut at any moment would leave (the page cache
// that survives a SIGKILL does not survive that).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "lake/lake.h"
#include "lake/lake_test_util.h"
#include "lake/recording_file_system.h"
#include "scoped_temp_dir.h"

namespace silverwork {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using Event = RecordingFileSystem::Event;
using EventKind = RecordingFileSystem::EventKind;

constexpr char kDurableRun[] = "20261125T160102Z-1a2b";

class LakeDurability : public ::testing::Test {
 protected:
  std::unique_ptr<LakeWriter> Open(bool fsync = true, int64_t part_bytes = 64 << 20) {
    auto writer = LakeWriter::Open({.root = LakeRoot(),
                                    .run_id = kDurableRun,
                                    .part_bytes = part_bytes,
                                    .fsync = fsync,
                                    .file_system = &files_});
    EXPECT_TRUE(writer.ok()) << writer.status().ToString();
    return writer.ok() ? std::move(writer).value() : nullptr;
  }

  void Append(LakeWriter& writer, const std::string& dataset, const std::string& body) {
    auto seq = writer.Append(MakeRecord(dataset, "2026-11-25T16:01:02Z", body));
    ASSERT_TRUE(seq.ok()) << seq.status().ToString();
  }

  // The bodies a reader finds in what a power cut now would leave; fails the
  // test if that lake is damaged or holds a torn record.
  std::vector<std::string> BodiesAfterPowerCut() {
    const std::string image = dir_.File("image-" + std::to_string(images_++));
    fs::create_directories(image);
    RecordingFileSystem::WriteCrashImage(files_.DurableFiles(), LakeRoot(), image);
    std::vector<std::string> bodies;
    LakeStats stats;
    Status read = LakeReader(image).ForEach(
        {},
        [&bodies](const LakeRecord& record) {
          bodies.push_back(record.body);
          return Status::Ok();
        },
        &stats);
    EXPECT_TRUE(read.ok()) << read.ToString();
    EXPECT_EQ(stats.skipped_torn, 0) << "a durable manifest line points at a frame that is not";
    return bodies;
  }

  std::string LakeRoot() const { return dir_.File("lake"); }

  ScopedTempDir dir_;
  RecordingFileSystem files_;
  int images_ = 0;
};

TEST_F(LakeDurability, NothingAppendedIsDurableUntilSyncReturns) {
  auto writer = Open();
  Append(*writer, "postings_list", "page-1");
  Append(*writer, "postings_detail", "detail-1");
  EXPECT_THAT(files_.DurableFiles(), IsEmpty()) << "the part files' entries are not synced yet";
  EXPECT_THAT(BodiesAfterPowerCut(), IsEmpty());

  ASSERT_TRUE(writer->Sync().ok());
  EXPECT_THAT(BodiesAfterPowerCut(), ElementsAre("page-1", "detail-1"));
  // Every byte on disk is durable: both parts and both manifests, whole.
  const auto durable = files_.DurableFiles();
  EXPECT_EQ(durable.size(), 4u);
  for (const auto& [path, size] : durable)
    EXPECT_EQ(size, static_cast<int64_t>(fs::file_size(path))) << path;

  Append(*writer, "postings_list", "page-2");
  EXPECT_THAT(BodiesAfterPowerCut(), ElementsAre("page-1", "detail-1"));
  ASSERT_TRUE(writer->Sync().ok());
  EXPECT_THAT(BodiesAfterPowerCut(), ElementsAre("page-1", "detail-1", "page-2"));
}

TEST_F(LakeDurability, ANewLakeRootIsItselfMadeDurable) {
  // The root and its parent "new" do not exist: their entries need syncing
  // too, or a power cut loses the whole lake.
  auto writer = LakeWriter::Open({.root = dir_.File("new/lake"),
                                  .run_id = kDurableRun,
                                  .fsync = true,
                                  .file_system = &files_});
  ASSERT_TRUE(writer.ok()) << writer.status().ToString();
  ASSERT_TRUE((*writer)->Append(MakeRecord("projects", "2026-11-25T16:01:02Z", "rows")).ok());
  ASSERT_TRUE((*writer)->Sync().ok());
  const auto durable = files_.DurableFiles();
  ASSERT_EQ(durable.size(), 2u);
  for (const auto& [path, size] : durable) {
    EXPECT_TRUE(path.starts_with(dir_.File("new/lake/projects/dt=2026-11-25/run="))) << path;
    EXPECT_GT(size, 0) << path;
  }
}

TEST_F(LakeDurability, APowerCutAtAnyMomentLeavesALakeWithoutTornRecords) {
  // Small parts, so that retiring a full part (synced on the spot) is covered.
  auto writer = Open(/*fsync=*/true, /*part_bytes=*/64);
  int events = 0;
  files_.SetListener([&](const Event&) {
    ++events;
    (void)BodiesAfterPowerCut();
  });
  std::vector<std::string> appended;
  for (int index = 0; index < 12; ++index) {
    appended.push_back("body-" + std::to_string(index) + std::string(40, 'x'));
    Append(*writer, index % 3 == 0 ? "projects" : "postings_list", appended.back());
    if (index % 4 == 3) {
      ASSERT_TRUE(writer->Sync().ok());
    }
  }
  ASSERT_TRUE(writer->Close().ok());
  files_.SetListener(nullptr);
  EXPECT_GT(events, 40);
  EXPECT_EQ(BodiesAfterPowerCut(), appended);
}

TEST_F(LakeDurability, SyncMakesFramesDurableBeforeTheManifestLinesThatPointAtThem) {
  auto writer = Open();
  Append(*writer, "postings_list", "page-1");
  Append(*writer, "projects", "rows-1");
  ASSERT_TRUE(writer->Sync().ok());
  std::vector<std::string> syncs;
  for (const Event& event : files_.Events()) {
    if (event.kind == EventKind::kSyncData)
      syncs.push_back(fs::path(event.path).filename().string());
    if (event.kind == EventKind::kSyncDirectory) syncs.emplace_back("directory");
  }
  // Frames, then manifests, then the directories that gained entries: the
  // one the new lake root is in, the root, each dataset, each day, each run.
  ASSERT_EQ(syncs.size(), 4u + 1 + 1 + 2 + 2 + 2);
  EXPECT_THAT(std::vector(syncs.begin(), syncs.begin() + 4),
              ElementsAre("part-00000.zst", "part-00000.zst", "part-00000.manifest.jsonl",
                          "part-00000.manifest.jsonl"));
  for (size_t index = 4; index < syncs.size(); ++index) EXPECT_EQ(syncs[index], "directory");
}

TEST_F(LakeDurability, WithFsyncOffSyncWritesButMakesNothingDurable) {
  auto writer = Open(/*fsync=*/false);
  Append(*writer, "postings_list", "page-1");
  ASSERT_TRUE(writer->Sync().ok());
  EXPECT_THAT(ReadAll(LakeRoot()).size(), 1u) << "Sync() hands the data to the kernel";
  EXPECT_THAT(files_.DurableFiles(), IsEmpty());
  for (const Event& event : files_.Events()) {
    EXPECT_NE(event.kind, EventKind::kSyncData);
    EXPECT_NE(event.kind, EventKind::kSyncDirectory);
  }
}

TEST_F(LakeDurability, AFailingFileSystemStopsTheRunWithItsError) {
  // A file system whose syncs fail: the writer reports it and stays stopped.
  class FailingSyncs final : public FileSystem {
   public:
    Result<std::unique_ptr<AppendableFile>> CreateAppendableFile(const std::string& path) override {
      SW_ASSIGN_OR_RETURN(auto file, DefaultFileSystem().CreateAppendableFile(path));
      return std::unique_ptr<AppendableFile>(new FailingFile(std::move(file)));
    }
    Status CreateDirectories(const std::string& path) override {
      return DefaultFileSystem().CreateDirectories(path);
    }
    Status SyncDirectory(const std::string& path) override {
      return DefaultFileSystem().SyncDirectory(path);
    }

   private:
    class FailingFile final : public AppendableFile {
     public:
      explicit FailingFile(std::unique_ptr<AppendableFile> base) : base_(std::move(base)) {}
      Status Append(std::string_view data) override { return base_->Append(data); }
      Status SyncData() override { return Status(ErrorCode::kIO, "cannot fdatasync: EIO"); }

     private:
      std::unique_ptr<AppendableFile> base_;
    };
  } failing;
  auto writer = LakeWriter::Open(
      {.root = LakeRoot(), .run_id = kDurableRun, .fsync = true, .file_system = &failing});
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE((*writer)->Append(MakeRecord("projects", "2026-11-25T16:01:02Z", "rows")).ok());
  Status synced = (*writer)->Sync();
  EXPECT_EQ(synced.code(), ErrorCode::kIO);
  EXPECT_NE(synced.message().find("cannot fdatasync: EIO"), std::string::npos) << synced.ToString();
  EXPECT_EQ((*writer)->Append(MakeRecord("projects", "2026-11-25T16:01:02Z", "more")).status().code(),
            ErrorCode::kIO);
}

}  // namespace
}  // namespace silverwork
