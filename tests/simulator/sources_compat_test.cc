// The simulator speaks what the real sources parsers expect: its bodies
// parse, and each fault maps onto the Status a collector acts on.
#include <gtest/gtest.h>

#include "common/clock.h"
#include "simulator_test_util.h"
#include "sources/envelope.h"

namespace silverwork::testing {
namespace {

class SourcesCompatTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SimulatorOptions options = SmallWorld();
    options.clock = &clock_;  // keeps the per-second case inside one window
    simulator_ = StartOrDie(options);
    ASSERT_NE(simulator_, nullptr);
  }
  Result<EnvelopePage> ParsedList() {
    auto response = Fetch(ListUrl(*simulator_, 1, 5));
    if (!response.ok()) return response.status();
    return ParseSenuriXml(response->body, response->status, "getJobList");
  }
  FakeClock clock_{std::chrono::sys_days{std::chrono::year{2026} / 12 / 1} + std::chrono::hours{3}};
  std::unique_ptr<Simulator> simulator_;
};

TEST_F(SourcesCompatTest, ListDetailAndProjectsParse) {
  auto list = ParsedList();
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  ASSERT_EQ(list->items.size(), 5u);
  EXPECT_EQ(list->total_count, simulator_->TotalPostings());
  const std::string* id = FindField(list->items[0], "jobId");
  ASSERT_NE(id, nullptr);

  auto detail_response = Fetch(DetailUrl(*simulator_, *id));
  ASSERT_TRUE(detail_response.ok());
  auto detail = ParseSenuriXml(detail_response->body, detail_response->status, "getJobInfo");
  ASSERT_TRUE(detail.ok()) << detail.status().ToString();
  ASSERT_EQ(detail->items.size(), 1u);
  EXPECT_EQ(*FindField(detail->items[0], "wantedAuthNo"), *id);

  auto missing = Fetch(DetailUrl(*simulator_, "K151601010100000"));
  ASSERT_TRUE(missing.ok());
  auto no_data = ParseSenuriXml(missing->body, missing->status, "getJobInfo");
  ASSERT_TRUE(no_data.ok()) << no_data.status().ToString();
  EXPECT_TRUE(no_data->items.empty());

  auto projects = Fetch(ProjectsUrl(*simulator_, KnownProjectFiles()[2].second, 2, 7));
  ASSERT_TRUE(projects.ok());
  auto page = ParseOdcloudJson(projects->body, projects->status, "projects");
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  EXPECT_EQ(page->items.size(), 7u);
}

TEST_F(SourcesCompatTest, FaultsMapOntoTheStatusCollectorsActOn) {
  struct Case {
    SimulatorFaultOptions faults;
    ErrorCode expected;
  };
  std::vector<Case> cases = {
      {{.daily_quota = 1}, ErrorCode::kQuotaExhausted},  // the second call
      {{.per_second_limit = 1}, ErrorCode::kRateLimited},
      {{.endpoint_gone = true}, ErrorCode::kGone},
      {{.error_codes = {"02"}, .error_first_n = 2}, ErrorCode::kRemote},
      {{.malformed_first_n = 2}, ErrorCode::kCorrupt},
      {{.http503_first_n = 2}, ErrorCode::kRemote},
  };
  for (const Case& c : cases) {
    simulator_->SetFaults(c.faults);
    (void)ParsedList();  // the quota and per-second cases refuse the second call
    auto second = ParsedList();
    ASSERT_FALSE(second.ok()) << static_cast<int>(c.expected);
    EXPECT_EQ(second.status().code(), c.expected) << second.status().ToString();
  }
  simulator_->SetFaults({});
  auto wrong_key = Fetch(ListUrl(*simulator_, 1, 5, "not-the-key"));
  ASSERT_TRUE(wrong_key.ok());
  auto refused = ParseSenuriXml(wrong_key->body, wrong_key->status, "getJobList");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), ErrorCode::kAuth);
}

}  // namespace
}  // namespace silverwork::testing
