// The postings endpoints end to end: envelopes, paging, detail, key forms.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "simulator_test_util.h"

namespace silverwork::testing {
namespace {

// REQUIRES: `document` outlives the nodes.
std::vector<pugi::xml_node> Items(const pugi::xml_document& document) {
  std::vector<pugi::xml_node> items;
  for (auto node : document.select_nodes("/response/body/items/item")) items.push_back(node.node());
  return items;
}
// A temporary document would die before its nodes are read.
std::vector<pugi::xml_node> Items(pugi::xml_document&& document) = delete;

int64_t TotalCount(const pugi::xml_document& document) {
  return document.select_node("/response/body/totalCount").node().text().as_llong();
}

class PostingsApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    simulator_ = StartOrDie(SmallWorld());
    ASSERT_NE(simulator_, nullptr);
  }
  std::unique_ptr<Simulator> simulator_;
};

TEST_F(PostingsApiTest, ListIsNewestFirstWithTotalCount) {
  auto document = FetchXml(ListUrl(*simulator_, 1, 50));
  EXPECT_EQ(ResultCodeOf(document), "00");
  EXPECT_EQ(document.select_node("/response/header/resultMsg").node().text().as_string(),
            std::string("NORMAL SERVICE."));
  EXPECT_EQ(TotalCount(document), simulator_->TotalPostings());
  EXPECT_GT(simulator_->TotalPostings(), 40'000);  // ~112 a day for 18 months

  auto items = Items(document);
  ASSERT_EQ(items.size(), 50u);
  EXPECT_EQ(std::string(items[0].child_value("frDd")), "20250630");
  std::string previous = "99999999";
  for (const auto& item : items) {
    std::string day = item.child_value("frDd");
    EXPECT_LE(day, previous);
    previous = day;
  }
}

TEST_F(PostingsApiTest, PagesTileTheListWithoutOverlap) {
  std::set<std::string> ids;
  for (int64_t page = 1; page <= 3; ++page) {
    auto document = FetchXml(ListUrl(*simulator_, page, 100));
    for (const auto& item : Items(document)) {
      ids.insert(item.child_value("jobId"));
    }
  }
  EXPECT_EQ(ids.size(), 300u);
  auto big_document = FetchXml(ListUrl(*simulator_, 1, 300));
  auto big_page = Items(big_document);
  ASSERT_EQ(big_page.size(), 300u);
  for (const auto& item : big_page) EXPECT_TRUE(ids.contains(item.child_value("jobId")));
}

TEST_F(PostingsApiTest, ListItemsCarryEveryFieldWithRealSpellings) {
  auto document = FetchXml(ListUrl(*simulator_, 1, 1));
  auto items = Items(document);
  ASSERT_EQ(items.size(), 1u);
  std::vector<std::string> names;
  for (auto child : items[0].children()) names.emplace_back(child.name());
  EXPECT_EQ(names, (std::vector<std::string>{"acptMthd", "deadline", "emplymShp", "emplymShpNm",
                                             "frDd", "jobId", "jobcls", "jobclsNm", "oranNm",
                                             "organYn", "recrtTitle", "stmId", "stmNm", "toDd",
                                             "workPlc", "workPlcNm"}));
  EXPECT_EQ(std::string(items[0].child_value("workPlc")).size(), 6u);
}

TEST_F(PostingsApiTest, EmptyPagesAlternateBetweenBothShapes) {
  int64_t last_page = simulator_->TotalPostings() / 1000 + 2;
  for (int64_t page : {last_page, last_page + 1}) {
    auto response = Fetch(ListUrl(*simulator_, page, 1000));
    ASSERT_TRUE(response.ok());
    bool self_closing = response->body.find("<items/>") != std::string::npos;
    bool open_close = response->body.find("<items></items>") != std::string::npos;
    EXPECT_NE(self_closing, open_close) << response->body;
    EXPECT_EQ(self_closing, page % 2 == 0);
    EXPECT_NE(response->body.find("<totalCount>"), std::string::npos);
  }
}

TEST_F(PostingsApiTest, NumOfRowsIsCappedAtTheConfiguredMaximum) {
  auto options = SmallWorld();
  options.data.max_rows_per_page = 20;
  auto capped = StartOrDie(options);
  auto document = FetchXml(ListUrl(*capped, 1, 500));
  EXPECT_EQ(Items(document).size(), 20u);
  EXPECT_EQ(document.select_node("/response/body/numOfRows").node().text().as_int(), 20);
}

TEST_F(PostingsApiTest, DetailAgreesWithTheListItem) {
  auto list = FetchXml(ListUrl(*simulator_, 7, 5));
  for (const auto& item : Items(list)) {
    std::string id = item.child_value("jobId");
    auto document = FetchXml(DetailUrl(*simulator_, id));
    ASSERT_EQ(ResultCodeOf(document), "00");
    auto detail = document.select_node("/response/body/items/item").node();
    ASSERT_TRUE(detail);
    EXPECT_EQ(std::string(detail.child_value("jobId")), id);
    EXPECT_EQ(std::string(detail.child_value("wantedAuthNo")), id);
    EXPECT_EQ(std::string(detail.child_value("wantedTitle")), item.child_value("recrtTitle"));
    EXPECT_EQ(std::string(detail.child_value("plbizNm")), item.child_value("oranNm"));
    EXPECT_EQ(std::string(detail.child_value("frAcptDd")), item.child_value("frDd"));
    EXPECT_EQ(std::string(detail.child_value("toAcptDd")), item.child_value("toDd"));
    EXPECT_EQ(std::string(detail.child_value("stmId")), item.child_value("stmId"));
    EXPECT_EQ(std::string(detail.child_value("organYn")), item.child_value("organYn"));
    EXPECT_TRUE(std::string(detail.child_value("createDy")).ends_with("+09:00"));
    EXPECT_GE(std::string(detail.child_value("updDy")), detail.child_value("createDy"));
    EXPECT_TRUE(detail.child("clltPrnnum"));
    EXPECT_TRUE(detail.child("etcItm"));
  }
}

TEST_F(PostingsApiTest, UnknownDetailIdIsNoData) {
  for (std::string id : {"K151699999999999", "nonsense", "K151625070100000"}) {
    // The last one is well formed but from after simulated today.
    auto document = FetchXml(DetailUrl(*simulator_, id));
    EXPECT_EQ(ResultCodeOf(document), "03") << id;
    EXPECT_EQ(document.select_node("/response/header/resultMsg").node().text().as_string(),
              std::string("NODATA_ERROR"));
    EXPECT_TRUE(Items(document).empty());
  }
}

TEST_F(PostingsApiTest, MissingOrInvalidParametersAreRefused) {
  std::string base = simulator_->base_url() + kSimulatorPostingsPath;
  std::string key = "serviceKey=" + EncodedDemoKey();
  const std::string list_url = base + "/getJobList?" + key;
  struct Case {
    std::string query;
    std::string code;
  };
  for (const Case& c : std::vector<Case>{{"&numOfRows=10", "11"},
                                         {"&pageNo=1", "11"},
                                         {"&pageNo=abc&numOfRows=10", "10"},
                                         {"&pageNo=0&numOfRows=10", "10"},
                                         {"&pageNo=1&numOfRows=-5", "10"}}) {
    auto document = FetchXml(list_url + c.query);
    EXPECT_EQ(ResultCodeOf(document), c.code) << c.query;
    EXPECT_FALSE(document.select_node("/response/body")) << c.query;
  }
  EXPECT_EQ(ResultCodeOf(FetchXml(base + "/getJobInfo?" + key)), "11");
}

TEST_F(PostingsApiTest, KeyIsAcceptedDecodedOrEncodedAndRefusedOtherwise) {
  std::string decoded = kSimulatorDemoKey;
  std::string encoded = PercentEncode(decoded);
  for (const std::string& key : {decoded, encoded}) {
    auto response = Fetch(ListUrl(*simulator_, 1, 1, key));
    ASSERT_TRUE(response.ok());
    EXPECT_NE(response->body.find("<resultCode>00</resultCode>"), std::string::npos);
  }
  for (const std::string& key : {PercentEncode(encoded), std::string("wrong"), std::string()}) {
    auto response = Fetch(ListUrl(*simulator_, 1, 1, key));
    ASSERT_TRUE(response.ok());
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->body.find("<response>"), std::string::npos);
    pugi::xml_document document;
    ASSERT_TRUE(document.load_string(response->body.c_str()));
    EXPECT_EQ(ResultCodeOf(document), "30");
    EXPECT_EQ(std::string(document.select_node("//returnAuthMsg").node().text().get()),
              "SERVICE_KEY_IS_NOT_REGISTERED_ERROR");
  }
  auto no_key =
      Fetch(simulator_->base_url() + kSimulatorPostingsPath + "/getJobList?pageNo=1&numOfRows=1");
  ASSERT_TRUE(no_key.ok());
  EXPECT_NE(no_key->body.find("<returnReasonCode>30</returnReasonCode>"), std::string::npos);
}

TEST_F(PostingsApiTest, SameSeedGivesTheSameBytes) {
  auto twin = StartOrDie(SmallWorld());
  for (const std::string& path : {std::string("/getJobList?pageNo=3&numOfRows=40&serviceKey="),
                                  std::string("/getJobList?pageNo=900&numOfRows=20&serviceKey=")}) {
    auto ours = Fetch(simulator_->base_url() + kSimulatorPostingsPath + path + EncodedDemoKey());
    auto theirs = Fetch(twin->base_url() + kSimulatorPostingsPath + path + EncodedDemoKey());
    ASSERT_TRUE(ours.ok() && theirs.ok());
    EXPECT_EQ(ours->body, theirs->body);
  }
  auto other_options = SmallWorld();
  other_options.data.seed = 43;
  auto other = StartOrDie(other_options);
  EXPECT_NE(Fetch(ListUrl(*simulator_, 1, 10))->body, Fetch(ListUrl(*other, 1, 10))->body);
}

TEST_F(PostingsApiTest, SetTodayMovesVisibilityAndDeadlines) {
  auto first_page = FetchXml(ListUrl(*simulator_, 1, 1));
  auto newest = Items(first_page);
  ASSERT_EQ(newest.size(), 1u);
  std::string id = newest[0].child_value("jobId");
  EXPECT_EQ(std::string(newest[0].child_value("deadline")), "접수중");
  int64_t total_before = simulator_->TotalPostings();

  simulator_->SetToday(Date::FromYmd(2025, 6, 29));
  EXPECT_LT(simulator_->TotalPostings(), total_before);
  EXPECT_EQ(ResultCodeOf(FetchXml(DetailUrl(*simulator_, id))), "03");  // not posted yet

  simulator_->SetToday(Date::FromYmd(2025, 7, 31));  // after every toDd (at most 30 days)
  EXPECT_GT(simulator_->TotalPostings(), total_before);
  auto page = FetchXml(ListUrl(*simulator_, 1, 6000));
  bool found = false;
  for (const auto& item : Items(page)) {
    if (item.child_value("jobId") != id) continue;
    found = true;
    EXPECT_EQ(std::string(item.child_value("deadline")), "마감");
  }
  EXPECT_TRUE(found);
}

TEST_F(PostingsApiTest, OnlyAFewHundredPostingsAreOpen) {
  auto page = FetchXml(ListUrl(*simulator_, 1, 3000));
  int open = 0;
  for (const auto& item : Items(page)) {
    std::string deadline = item.child_value("deadline");
    if (deadline == "접수중") {
      ++open;
      EXPECT_GE(std::string(item.child_value("toDd")), "20250630");
    }
  }
  EXPECT_GT(open, 200);
  EXPECT_LT(open, 600);
}

TEST(PostingsApiOverTheDay, TheListGrowsAsTheClockPassesEachPublication) {
  const Date today = Date::FromYmd(2025, 6, 30);  // a Monday: a full working day
  auto korea = [&](int hour, int minute) {
    return std::chrono::system_clock::time_point(today.sys_days()) + std::chrono::hours(hour - 9) +
           std::chrono::minutes(minute);
  };
  FakeClock clock(korea(7, 0));
  SimulatorOptions options = SmallWorld();
  options.data.today.reset();  // today follows the clock
  options.data.postings_per_day = 200;
  options.data.publish_over_day = true;
  options.clock = &clock;
  auto simulator = StartOrDie(options);
  ASSERT_NE(simulator, nullptr);

  const int64_t before_today = simulator->TotalPostings();
  auto newest_at = [&] {
    // The nodes point into the document: keep it alive while reading them.
    const pugi::xml_document document = FetchXml(ListUrl(*simulator, 1, 1));
    auto items = Items(document);
    return items.empty() ? std::string() : std::string(items[0].child_value("jobId"));
  };
  std::string yesterdays_last = newest_at();
  EXPECT_TRUE(yesterdays_last.starts_with("K1516250629") ||
              yesterdays_last.starts_with("KJKO0250629"))
      << yesterdays_last;

  clock.Advance(std::chrono::hours(3));  // 10:00
  const int64_t by_ten = simulator->TotalPostings();
  EXPECT_GT(by_ten, before_today + 20);
  std::string newest = newest_at();
  auto detail = FetchXml(DetailUrl(*simulator, newest));
  ASSERT_EQ(ResultCodeOf(detail), "00");
  std::string created = detail.select_node("//createDy").node().text().get();
  EXPECT_GE(created, "2025-06-30T08:00:00+09:00");
  EXPECT_LE(created, "2025-06-30T10:00:00+09:00");

  clock.Advance(std::chrono::minutes(30));  // 10:30: more, every few minutes
  EXPECT_GT(simulator->TotalPostings(), by_ten + 3);
  EXPECT_LT(simulator->TotalPostings(), by_ten + 30);
  // The next one to be published does not exist yet, not even its detail.
  // (Ids are <family:5><yymmdd><sequence:5>; try both families.)
  std::string next =
      newest.substr(5, 6) + fmt::format("{:05}", simulator->TotalPostings() - before_today);
  for (std::string family : {"K1516", "KJKO0"}) {
    EXPECT_EQ(ResultCodeOf(FetchXml(DetailUrl(*simulator, family + next))), "03") << family;
  }

  clock.Advance(std::chrono::hours(10));  // 20:30: the whole day
  const int64_t whole_day = simulator->TotalPostings();
  clock.Advance(std::chrono::hours(3));  // the next day, 01:30: none of its own yet
  EXPECT_EQ(simulator->TotalPostings(), whole_day);
  EXPECT_GT(whole_day - before_today, 150);
}

// Without --publish-over-day all of today's postings exist from midnight,
// but none is stamped later than the simulator's clock: the demo's newest
// posting is never younger than zero.
TEST(PostingsApiToday, CreateDyIsNeverAfterTheSimulatorsClock) {
  const Date today = Date::FromYmd(2025, 6, 30);
  const auto nine_am = std::chrono::system_clock::time_point(today.sys_days());  // 09:00 KST
  FakeClock clock(nine_am);
  SimulatorOptions options = SmallWorld();
  options.data.today.reset();  // today follows the clock
  options.clock = &clock;
  auto simulator = StartOrDie(options);
  ASSERT_NE(simulator, nullptr);

  const std::string now = "2025-06-30T09:00:00+09:00";
  int todays = 0, stamped_now = 0, earlier = 0;
  const pugi::xml_document page = FetchXml(ListUrl(*simulator, 1, 400));
  for (const auto& item : Items(page)) {
    if (std::string(item.child_value("frDd")) != "20250630") continue;
    ++todays;
    auto detail = FetchXml(DetailUrl(*simulator, item.child_value("jobId")));
    ASSERT_EQ(ResultCodeOf(detail), "00");
    std::string created = detail.select_node("//createDy").node().text().get();
    std::string updated = detail.select_node("//updDy").node().text().get();
    EXPECT_LE(created, now) << item.child_value("jobId");
    EXPECT_LE(updated, now) << item.child_value("jobId");
    EXPECT_GE(updated, created) << item.child_value("jobId");
    stamped_now += created == now ? 1 : 0;
    earlier += created < now ? 1 : 0;
  }
  // Most of the day's postings drew an instant after 09:00 (they are drawn
  // within 08:00..19:00 of today or yesterday): capped, not dropped.
  EXPECT_GT(todays, 50);
  EXPECT_GT(stamped_now, todays / 4);
  EXPECT_GT(earlier, 0);

  // Later the same day the same postings keep what they drew before the clock.
  clock.Advance(std::chrono::hours(12));  // 21:00
  int later_than_nine = 0;
  const pugi::xml_document evening = FetchXml(ListUrl(*simulator, 1, 400));
  for (const auto& item : Items(evening)) {
    if (std::string(item.child_value("frDd")) != "20250630") continue;
    auto detail = FetchXml(DetailUrl(*simulator, item.child_value("jobId")));
    std::string created = detail.select_node("//createDy").node().text().get();
    EXPECT_LE(created, "2025-06-30T21:00:00+09:00");
    later_than_nine += created > now ? 1 : 0;
  }
  EXPECT_GT(later_than_nine, todays / 4);
}

TEST_F(PostingsApiTest, UnknownPathAndMethodAreRefused) {
  auto response = Fetch(simulator_->base_url() + "/B552474/SenuriService/getNothing");
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 404);
  EXPECT_NE(response->body.find("NO_OPENAPI_SERVICE_ERROR"), std::string::npos);
}

TEST_F(PostingsApiTest, StatsCountCallsPerOperation) {
  ASSERT_TRUE(Fetch(ListUrl(*simulator_, 1, 1)).ok());
  ASSERT_TRUE(Fetch(ListUrl(*simulator_, 2, 1)).ok());
  ASSERT_TRUE(Fetch(DetailUrl(*simulator_, "x")).ok());
  SimulatorStats stats = simulator_->Stats();
  EXPECT_EQ(stats.list_calls, 2);
  EXPECT_EQ(stats.detail_calls, 1);
  EXPECT_EQ(stats.projects_calls, 0);
  EXPECT_EQ(stats.requests, 3);
  EXPECT_EQ(stats.faults_injected, 0);
}

}  // namespace
}  // namespace silverwork::testing
