// Each injected fault has the effect a client would see from the real service.
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "common/clock.h"
#include "simulator_test_util.h"

namespace silverwork::testing {
namespace {

using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

class FaultsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SimulatorOptions options = SmallWorld();
    options.clock = &clock_;  // per-second windows move only when the test says so
    simulator_ = StartOrDie(options);
    ASSERT_NE(simulator_, nullptr);
  }

  std::string ListCode() {
    auto document = FetchXml(ListUrl(*simulator_, 1, 5));
    return ResultCodeOf(document);
  }

  FakeClock clock_{std::chrono::system_clock::now()};
  std::unique_ptr<Simulator> simulator_;
};

TEST_F(FaultsTest, ResetIsATransportError) {
  simulator_->SetFaults({.reset_rate = 1.0});
  auto response = Fetch(ListUrl(*simulator_, 1, 5));
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), ErrorCode::kNetwork);

  simulator_->SetFaults({.reset_first_n = 1});
  EXPECT_FALSE(Fetch(ListUrl(*simulator_, 1, 5)).ok());  // a fresh connection each time
  EXPECT_TRUE(Fetch(ListUrl(*simulator_, 1, 5)).ok());
}

TEST_F(FaultsTest, TruncatedBodyIsATransportError) {
  simulator_->SetFaults({.truncated_first_n = 1});
  auto response = Fetch(ListUrl(*simulator_, 1, 50));
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), ErrorCode::kNetwork);
  EXPECT_EQ(ListCode(), "00");
}

TEST_F(FaultsTest, HangTimesTheClientOutAndStopIsStillPrompt) {
  simulator_->SetFaults({.hang = 2s, .hang_first_n = 1});
  auto started = SteadyClock::now();
  auto response = Fetch(ListUrl(*simulator_, 1, 5), 200ms);
  EXPECT_FALSE(response.ok());
  EXPECT_LT(SteadyClock::now() - started, 1500ms);

  // A second connection hangs on the server while Stop() runs.
  simulator_->SetFaults({.hang = 10s, .hang_first_n = 1});
  std::thread hanging([this] { (void)Fetch(ListUrl(*simulator_, 1, 5), 5000ms); });
  std::this_thread::sleep_for(100ms);
  auto stop_started = SteadyClock::now();
  simulator_->Stop();
  EXPECT_LT(SteadyClock::now() - stop_started, 1s);
  hanging.join();
}

TEST_F(FaultsTest, DailyQuotaIsPerOperationAndPerDay) {
  simulator_->SetFaults({.daily_quota = 3});
  for (int call = 0; call < 3; ++call) EXPECT_EQ(ListCode(), "00");
  auto refused = FetchXml(ListUrl(*simulator_, 1, 5));
  EXPECT_EQ(ResultCodeOf(refused), "22");
  EXPECT_EQ(std::string(refused.select_node("//returnAuthMsg").node().text().get()),
            "LIMITED_NUMBER_OF_SERVICE_REQUESTS_EXCEEDS_ERROR");
  EXPECT_EQ(ResultCodeOf(FetchXml(DetailUrl(*simulator_, "x"))), "03");  // its own quota

  simulator_->SetToday(Date::FromYmd(2025, 7, 1));
  EXPECT_EQ(ListCode(), "00");
}

TEST_F(FaultsTest, PerSecondLimit) {
  simulator_->SetFaults({.per_second_limit = 2});
  EXPECT_EQ(ListCode(), "00");
  EXPECT_EQ(ListCode(), "00");
  auto refused = FetchXml(ListUrl(*simulator_, 1, 5));
  EXPECT_EQ(ResultCodeOf(refused), "23");
  EXPECT_NE(
      std::string(refused.select_node("//returnAuthMsg").node().text().get()).find("PER_SECOND"),
      std::string::npos);
  clock_.Advance(1s);
  EXPECT_EQ(ListCode(), "00");
}

TEST_F(FaultsTest, Http500And503ComeWithAnHtmlBody) {
  simulator_->SetFaults({.http500_first_n = 1, .http503_first_n = 2});
  auto first = Fetch(ListUrl(*simulator_, 1, 5));
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->status, 500);
  EXPECT_NE(first->body.find("<html>"), std::string::npos);
  auto second = Fetch(ListUrl(*simulator_, 1, 5));
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->status, 503);
  EXPECT_EQ(ListCode(), "00");
}

TEST_F(FaultsTest, MalformedBodiesDoNotParse) {
  simulator_->SetFaults({.malformed_first_n = 6});
  for (int call = 0; call < 3; ++call) {
    auto response = Fetch(ListUrl(*simulator_, 1, 20));
    ASSERT_TRUE(response.ok());
    EXPECT_EQ(response->status, 200);
    pugi::xml_document document;
    EXPECT_FALSE(document.load_buffer(response->body.data(), response->body.size()))
        << response->body;
  }
  for (int call = 0; call < 3; ++call) {
    auto response = Fetch(ProjectsUrl(*simulator_, KnownProjectFiles()[0].second, 1, 20));
    ASSERT_TRUE(response.ok());
    EXPECT_FALSE(nlohmann::json::accept(response->body)) << response->body;
  }
}

TEST_F(FaultsTest, ErrorCodesUseTheirEnvelopes) {
  simulator_->SetFaults({.error_codes = {"01"}, .error_first_n = 1});
  auto header_error = FetchXml(ListUrl(*simulator_, 1, 5));
  EXPECT_EQ(ResultCodeOf(header_error), "01");
  EXPECT_EQ(std::string(header_error.select_node("/response/header/resultMsg").node().text().get()),
            "APPLICATION_ERROR");
  EXPECT_EQ(ListCode(), "00");

  simulator_->SetFaults({.error_codes = {"05"}, .error_first_n = 1});
  auto response = Fetch(ProjectsUrl(*simulator_, KnownProjectFiles()[0].second, 1, 5));
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(nlohmann::json::parse(response->body).at("resultCode"), "05");
}

TEST_F(FaultsTest, EndpointGoneAnswersCode12) {
  simulator_->SetFaults({.endpoint_gone = true});
  auto document = FetchXml(ListUrl(*simulator_, 1, 5));
  EXPECT_EQ(ResultCodeOf(document), "12");
  EXPECT_NE(std::string(document.select_node("//returnAuthMsg").node().text().get()), "");
}

TEST_F(FaultsTest, RatesAreDeterministicForASeed) {
  SimulatorFaultOptions faults{.error_rate = 0.3, .error_codes = {"01", "02", "99"}};
  auto sequence = [&](Simulator& simulator) {
    simulator.SetFaults(faults);
    std::string codes;
    for (int call = 0; call < 40; ++call) {
      codes += ResultCodeOf(FetchXml(ListUrl(simulator, 1, 1))) + ",";
    }
    return codes;
  };
  auto twin = StartOrDie(SmallWorld());
  std::string ours = sequence(*simulator_);
  EXPECT_EQ(ours, sequence(*twin));
  EXPECT_NE(ours.find("00"), std::string::npos);
  EXPECT_TRUE(ours.find("01") != std::string::npos || ours.find("02") != std::string::npos ||
              ours.find("99") != std::string::npos);
  EXPECT_GT(simulator_->Stats().faults_injected, 0);
}

TEST_F(FaultsTest, LatencyDelaysEveryCall) {
  simulator_->SetFaults({.latency = 120ms, .latency_jitter = 30ms});
  auto started = SteadyClock::now();
  EXPECT_EQ(ListCode(), "00");
  EXPECT_GE(SteadyClock::now() - started, 120ms);
}

TEST_F(FaultsTest, StopIsPromptWithIdleKeepAliveConnections) {
  auto client = CreateHttpClient();  // keeps its connection open after the call
  ASSERT_TRUE(client->Get(ListUrl(*simulator_, 1, 1), "", kTestTimeout).ok());
  simulator_->SetFaults({.latency = 10s});
  std::thread slow([this] { (void)Fetch(ListUrl(*simulator_, 1, 1)); });
  std::this_thread::sleep_for(100ms);
  auto started = SteadyClock::now();
  simulator_->Stop();
  simulator_->Stop();  // idempotent
  EXPECT_LT(SteadyClock::now() - started, 1s);
  slow.join();
}

}  // namespace
}  // namespace silverwork::testing
