#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "pipeline/run_id.h"
#include "pipeline_test_util.h"

namespace silverwork::testing {
namespace {

using std::chrono::milliseconds;

const Date kRunDay = Date::FromYmd(2025, 6, 30);

std::string Next(RunIdGenerator& generator, std::string_view floor = {}) {
  auto id = generator.Next(floor);
  EXPECT_TRUE(id.ok()) << id.status().ToString();
  return id.ok() ? *id : std::string();
}

TEST(RunId, NamesTheUtcStartToTheMillisecond) {
  FakeClock clock(KoreaTime(kRunDay, 9, 1, 2) + milliseconds(345));
  RunIdGenerator generator(clock, 7);
  std::string id = Next(generator);
  ASSERT_EQ(id.size(), 25u) << id;
  EXPECT_TRUE(id.starts_with("20250630T000102.345Z-")) << id;
  EXPECT_EQ(RunIdStartTime(id), clock.Now());
  EXPECT_EQ(RunIdStartTime("20250630T000102Z-0001"), KoreaTime(kRunDay, 9, 1, 2));
  EXPECT_EQ(RunIdStartTime("not-a-run"), std::nullopt);
  EXPECT_EQ(RunIdStartTime("20250230T000102.345Z-0001"), std::nullopt);
}

TEST(RunId, StrictlyIncreasingWhileTheClockStandsStill) {
  FakeClock clock(KoreaTime(kRunDay, 12));
  RunIdGenerator generator(clock, 1);
  std::string previous = Next(generator);
  for (int index = 0; index < 2000; ++index) {
    std::string id = Next(generator);
    ASSERT_GT(id, previous);
    previous = id;
  }
  EXPECT_EQ(clock.Elapsed(), std::chrono::nanoseconds(0)) << "nothing waited on the clock";
  // 2000 ids in one millisecond moved the time part on by 2 s, no more.
  EXPECT_LE(*RunIdStartTime(previous), clock.Now() + milliseconds(2001));
}

TEST(RunId, StrictlyIncreasingWhenTheClockStepsBack) {
  FakeClock clock(KoreaTime(kRunDay, 12));
  RunIdGenerator generator(clock, 2);
  std::string before = Next(generator);
  ShiftedClock earlier(KoreaTime(kRunDay, 11), clock);  // an hour behind
  RunIdGenerator behind(earlier, 3);
  std::string after = Next(behind, before);
  EXPECT_GT(after, before);
  EXPECT_EQ(*RunIdStartTime(after), *RunIdStartTime(before) + milliseconds(1));
}

TEST(RunId, SortsAboveTheNewestRunAlreadyKnown) {
  FakeClock clock(KoreaTime(kRunDay, 12));
  // Below the clock: the clock's time is used.
  RunIdGenerator below(clock, 4);
  EXPECT_TRUE(Next(below, "20250101T000000.000Z-ffff").starts_with("20250630T030000.000Z"));
  // Above it, with milliseconds: a millisecond later. Whole seconds (older
  // ids): the next second, since "Z" sorts above ".".
  struct Case {
    const char* floor;
    const char* expected_start;
  };
  const Case cases[] = {{"20260101T000000.999Z-0000", "20260101T000001.000Z-"},
                        {"20260101T000000Z-0001", "20260101T000001.000Z-"},
                        {"20260101T235959.999Z-ffff", "20260102T000000.000Z-"},
                        {"20260101T120000.500Z-0000", "20260101T120000.501Z-"}};
  for (const auto& test_case : cases) {
    RunIdGenerator generator(clock, 4);
    std::string id = Next(generator, test_case.floor);
    EXPECT_GT(id, test_case.floor);
    EXPECT_TRUE(id.starts_with(test_case.expected_start)) << test_case.floor << " -> " << id;
  }
}

TEST(RunId, AForeignNameAboveTheClockIsAnErrorBelowItHarmless) {
  FakeClock clock(KoreaTime(kRunDay, 12));
  RunIdGenerator generator(clock, 5);
  EXPECT_TRUE(generator.Next("0-manual-copy").ok());
  auto refused = generator.Next("zz-manual-copy");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), ErrorCode::kCorrupt);
  EXPECT_NE(refused.status().message().find("zz-manual-copy"), std::string::npos);
  EXPECT_NE(refused.status().hint().find("run=zz-manual-copy"), std::string::npos);
}

TEST(RunId, ThreadsNeverGetTheSameId) {
  FakeClock clock(KoreaTime(kRunDay, 12));
  RunIdGenerator generator(clock, 6);
  constexpr int kThreads = 4, kEach = 250;
  std::vector<std::vector<std::string>> issued(kThreads);
  std::vector<std::thread> threads;
  for (int thread = 0; thread < kThreads; ++thread) {
    threads.emplace_back([&, thread] {
      for (int index = 0; index < kEach; ++index) issued[thread].push_back(*generator.Next());
    });
  }
  for (auto& thread : threads) thread.join();
  std::set<std::string> all;
  for (const auto& ids : issued) {
    for (size_t index = 1; index < ids.size(); ++index) EXPECT_GT(ids[index], ids[index - 1]);
    all.insert(ids.begin(), ids.end());
  }
  EXPECT_EQ(all.size(), static_cast<size_t>(kThreads * kEach));
}

}  // namespace
}  // namespace silverwork::testing
