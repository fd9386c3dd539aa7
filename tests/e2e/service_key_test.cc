// The service key never leaves the environment (or its file): every file a
// set of runs writes is searched for it in every form it could take, the
// SQLite write-ahead log of a run killed mid-load included, and the lake's
// compressed responses are read back and searched too. And there is no way
// to hand the key over on the command line.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>

#include "binary_harness.h"
#include "http/http_client.h"
#include "lake/lake.h"

namespace silverwork::testing {
namespace {

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

// The forms a leaked key would take, lower-cased: decoded, percent-encoded
// once and twice (any hex case), and its distinctive parts alone.
std::vector<std::string> KeyForms() {
  return {Lower(kMarkerKey), Lower(PercentEncode(kMarkerKey)),
          Lower(PercentEncode(PercentEncode(kMarkerKey))), "leakmarker", "zztop9secret"};
}

void ExpectNoKey(const std::string& what, const std::string& text) {
  const std::string lower = Lower(text);
  for (const std::string& form : KeyForms())
    EXPECT_EQ(lower.find(form), std::string::npos) << what << " contains the key as " << form;
}

// Searches every regular file under `root`; returns each one's size.
std::map<std::string, uintmax_t> ExpectNoKeyInAnyFile(const std::string& root) {
  std::map<std::string, uintmax_t> sizes;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    if (!entry.is_regular_file()) continue;
    const std::string path = entry.path().string();
    sizes[path] = entry.file_size();
    ExpectNoKey(path, ReadFile(path));
  }
  return sizes;
}

// True when a non-empty file's name contains `part`.
bool HasNonEmpty(const std::map<std::string, uintmax_t>& sizes, const std::string& part) {
  return std::any_of(sizes.begin(), sizes.end(), [&](const auto& file) {
    const std::string name = std::filesystem::path(file.first).filename().string();
    return name.find(part) != std::string::npos && file.second > 0;
  });
}

// The lake's responses, decompressed: requests and bodies.
int64_t ExpectNoKeyInLakeRecords(const std::string& lake) {
  int64_t records = 0;
  Status read = LakeReader(lake).ForEach({}, [&](const LakeRecord& record) {
    ++records;
    ExpectNoKey("lake request " + record.request, record.request);
    ExpectNoKey("lake body of " + record.request, record.body);
    return Status::Ok();
  });
  EXPECT_TRUE(read.ok()) << read.ToString();
  return records;
}

TEST(ServiceKey, NeverReachesAnyFileTheRunsWrite) {
  SimulatorOptions world = SmallWorldOptions();
  world.faults.error_rate = 0.05;  // the retry and warning paths log too
  world.faults.latency = std::chrono::milliseconds(10);
  BinaryHarness harness(world);
  const std::vector<std::string> collect = {"--log-level", "debug", "collect", "postings",
                                            "--days",      "5",     "--to",    kToday.Iso()};

  // Killed mid-load, SQLite never checkpoints: its write-ahead log keeps
  // what the run committed, and is searched with everything else.
  auto killed = harness.Start(collect);
  ASSERT_TRUE(killed->WaitWhileRunning([&] { return harness.simulator->Stats().detail_calls >= 10; }))
      << harness.Stderr();
  killed->Kill(SIGKILL);
  ASSERT_EQ(killed->Wait(), 128 + SIGKILL);
  auto files = ExpectNoKeyInAnyFile(harness.dir.path());
  EXPECT_TRUE(HasNonEmpty(files, "warehouse.db-wal")) << "the scan must cover the WAL";
  EXPECT_TRUE(HasNonEmpty(files, "silverwork.log"));
  EXPECT_TRUE(HasNonEmpty(files, ".zst"));
  EXPECT_TRUE(HasNonEmpty(files, ".manifest.jsonl"));

  // Then every command that touches the key or prints what runs recorded.
  ASSERT_EQ(harness.Run(collect), 0) << harness.Stderr();
  ASSERT_EQ(harness.Run({"collect", "projects"}), 0) << harness.Stderr();
  // A wrong key fails (and is recorded as a failed run) without being echoed.
  ASSERT_EQ(harness.Run({"collect", "postings", "--days", "1"}, "LEAKMARKER-wrong+key=="), 1);
  EXPECT_NE(harness.Stderr().find("code 30"), std::string::npos) << harness.Stderr();
  ASSERT_EQ(harness.Run({"status"}), 0) << harness.Stderr();
  EXPECT_NE(harness.Stdout().find("failed"), std::string::npos) << harness.Stdout();
  ASSERT_EQ(harness.Run({"reload"}), 0) << harness.Stderr();
  // The key may also come from a file named in the config (kept elsewhere).
  TempDir secrets;
  std::ofstream(secrets.path() + "/key") << kMarkerKey << "\n";
  const std::string from_file = harness.WriteConfig(
      "from-file.toml", harness.WarehousePath(),
      "service_key_file = \"" + secrets.path() + "/key\"\n");
  ASSERT_EQ(harness.RunWith(from_file, {"collect", "projects"}, /*key=*/""), 0)
      << harness.Stderr();

  files = ExpectNoKeyInAnyFile(harness.dir.path());
  for (const char* written : {"warehouse.db", "silverwork.log", "stdout-", "stderr-"})
    EXPECT_TRUE(HasNonEmpty(files, written)) << written;
  EXPECT_GT(ExpectNoKeyInLakeRecords(harness.LakePath()), 100);
}

TEST(ServiceKey, CannotBeGivenOnTheCommandLine) {
  BinaryHarness harness;
  for (const char* flag : {"--service-key", "--key", "--serviceKey"}) {
    EXPECT_EQ(harness.Run({"collect", "projects", flag, "some-key"}, /*key=*/""), 2) << flag;
  }
  EXPECT_FALSE(std::filesystem::exists(harness.LakePath())) << "nothing was collected";
  EXPECT_EQ(harness.simulator->Stats().requests, 0);
}

}  // namespace
}  // namespace silverwork::testing
