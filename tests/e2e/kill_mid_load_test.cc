// kill -9 in the middle of `silverwork collect postings`, at chosen points of
// the run (counted in calls the simulator received, so no wait is a guess),
// proving each time that the kill landed while loading: the process died of
// the signal, had landed responses in the lake, and had not finished. After
// every kill the warehouse and the lake are whole; the rerun completes with
// exactly the generated postings, and the lake alone rebuilds them.
#include <gtest/gtest.h>

#include <filesystem>

#include "binary_harness.h"
#include "ingest/reloader.h"
#include "lake/lake.h"

namespace silverwork::testing {
namespace {

struct KillPoint {
  const char* phase;
  int64_t SimulatorStats::*calls;  // the counter to watch
  int64_t after;                   // calls of this run before the kill
};

int64_t RunsInLake(const std::string& lake) {
  if (!std::filesystem::exists(lake)) return 0;
  auto runs = LakeReader(lake).Runs();
  EXPECT_TRUE(runs.ok()) << runs.status().ToString();
  return runs.ok() ? static_cast<int64_t>(runs->size()) : -1;
}

int64_t Count(Warehouse& warehouse, const std::string& sql) {
  auto result = warehouse.QueryAll(sql);
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  return result.ok() ? std::get<int64_t>(result->rows.at(0).at(0)) : -1;
}

// What a killed run must leave: a sound warehouse in which every committed
// detail row has its list row, and a lake that reads without damage.
void ExpectWhole(BinaryHarness& harness) {
  auto warehouse = harness.OpenWarehouse();
  auto check = warehouse->QueryAll("PRAGMA integrity_check");
  ASSERT_TRUE(check.ok()) << check.status().ToString();
  EXPECT_EQ(ValueToString(check->rows.at(0).at(0)), "ok");
  auto exists = warehouse->TableExists("raw_postings");
  ASSERT_TRUE(exists.ok());
  if (*exists) {
    EXPECT_EQ(Count(*warehouse,
                    "SELECT COUNT(*) FROM raw_postings WHERE _detail_status IS NOT NULL AND "
                    "_list_hash IS NULL"),
              0);
  }
  Status read = LakeReader(harness.LakePath()).ForEach({}, [](const LakeRecord&) {
    return Status::Ok();
  });
  EXPECT_TRUE(read.ok()) << read.ToString();
}

TEST(KillNine, MidLoadLosesNothingAndTheRerunCompletesExactly) {
  SimulatorOptions world = SmallWorldOptions();
  // Every call takes 10 ms or more: after the last kill point hundreds of
  // detail calls remain, so a run cannot finish between the point and the
  // kill (and if it did, the exit status would say so).
  world.faults.latency = std::chrono::milliseconds(10);
  BinaryHarness harness(world);
  const Date from = kToday.AddDays(-20);
  const std::set<std::string> truth = GeneratedJobIds(world.data, from, kToday);
  ASSERT_GT(truth.size(), 600u);
  const std::vector<std::string> collect = {"collect", "postings", "--from", from.Iso(),
                                            "--to", kToday.Iso()};

  const KillPoint points[] = {{"list pages", &SimulatorStats::list_calls, 3},
                              {"details", &SimulatorStats::detail_calls, 40},
                              {"details", &SimulatorStats::detail_calls, 250}};
  int64_t kills = 0;
  for (const KillPoint& point : points) {
    SCOPED_TRACE(std::string("killed during ") + point.phase + " after " +
                 std::to_string(point.after) + " calls");
    const int64_t calls_before = harness.simulator->Stats().*point.calls;
    auto child = harness.Start(collect);
    ASSERT_TRUE(child->WaitWhileRunning([&] {
      return harness.simulator->Stats().*point.calls - calls_before >= point.after;
    })) << "the run ended first: " << harness.Stderr();
    child->Kill(SIGKILL);
    ASSERT_EQ(child->Wait(), 128 + SIGKILL) << "the run ended before the kill landed";
    ++kills;
    // Loading had started: this run landed responses in the lake ...
    EXPECT_EQ(RunsInLake(harness.LakePath()), kills);
    // ... and had not finished.
    auto warehouse = harness.OpenWarehouse();
    EXPECT_LT(CompletedJobIds(*warehouse, from, kToday).size(), truth.size());
    if (point.calls == &SimulatorStats::detail_calls) {
      // Details are fetched only once the list is committed.
      EXPECT_GE(Count(*warehouse, "SELECT COUNT(*) FROM raw_postings"),
                static_cast<int64_t>(truth.size()));
    }
    ExpectWhole(harness);
  }

  ASSERT_EQ(harness.Run(collect), 0) << harness.Stderr();
  auto warehouse = harness.OpenWarehouse();
  EXPECT_EQ(CompletedJobIds(*warehouse, from, kToday), truth);
  // The lake, killed three times, still rebuilds the same postings alone.
  auto rebuilt = harness.OpenWarehouse(harness.dir.path() + "/rebuilt.db");
  auto reloaded =
      ReloadFromLake({.lake_root = harness.LakePath(), .loaded_at = "2030-01-01T00:00:00Z"},
                     *rebuilt);
  ASSERT_TRUE(reloaded.ok()) << reloaded.status().ToString();
  EXPECT_EQ(CompletedJobIds(*rebuilt, from, kToday), truth);
}

}  // namespace
}  // namespace silverwork::testing
