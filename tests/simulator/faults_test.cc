// Each injected fault has the effect a client would see from the real
// service, over http and over https alike.
#include "simulator/faults.h"

#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "common/clock.h"
#include "simulator_test_util.h"

namespace silverwork::testing {
namespace {

using namespace std::chrono_literals;

class FaultsTest : public ::testing::TestWithParam<Scheme> {
 protected:
  void SetUp() override {
    SimulatorOptions options = SmallWorld(GetParam());
    // Per-second windows move, and latency passes, only when the test says so.
    options.clock = &clock_;
    simulator_ = StartOrDie(options);
    ASSERT_NE(simulator_, nullptr);
  }

  std::string ListCode() {
    auto document = FetchXml(ListUrl(*simulator_, 1, 5));
    return ResultCodeOf(document);
  }

  FakeClock clock_{std::chrono::sys_days{std::chrono::year{2026} / 12 / 1} + std::chrono::hours{3}};
  std::unique_ptr<Simulator> simulator_;
};

TEST_P(FaultsTest, ServesOverTheSchemeAsked) {
  EXPECT_TRUE(simulator_->base_url().starts_with(
      GetParam() == Scheme::kHttps ? "https://127.0.0.1:" : "http://127.0.0.1:"))
      << simulator_->base_url();
  EXPECT_EQ(ListCode(), "00");
}

TEST_P(FaultsTest, ResetIsATransportError) {
  simulator_->SetFaults({.reset_rate = 1.0});
  auto response = Fetch(ListUrl(*simulator_, 1, 5));
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), ErrorCode::kNetwork);
  EXPECT_NE(response.status().message().find("Failure when receiving data"), std::string::npos)
      << response.status().message();

  simulator_->SetFaults({.reset_first_n = 1});
  EXPECT_FALSE(Fetch(ListUrl(*simulator_, 1, 5)).ok());  // a fresh connection each time
  EXPECT_TRUE(Fetch(ListUrl(*simulator_, 1, 5)).ok());
}

TEST_P(FaultsTest, TruncatedBodyIsATransportError) {
  simulator_->SetFaults({.truncated_first_n = 1});
  auto response = Fetch(ListUrl(*simulator_, 1, 50));
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), ErrorCode::kNetwork);
  EXPECT_NE(response.status().message().find("Transferred a partial file"), std::string::npos)
      << response.status().message();
  EXPECT_EQ(ListCode(), "00");
}

// A hang lasts (an hour here) until the client gives up; Stop() ends it,
// or this test would outlast ctest's timeout.
TEST_P(FaultsTest, HangTimesTheClientOutAndStopEndsIt) {
  simulator_->SetFaults({.hang = std::chrono::hours(1), .hang_first_n = 1});
  auto response = Fetch(ListUrl(*simulator_, 1, 5), 100ms);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().message(), "GET (test url) failed: Timeout was reached");
  EXPECT_EQ(ListCode(), "00") << "only the first call hangs";

  simulator_->SetFaults({.hang = std::chrono::hours(1), .hang_first_n = 1});
  std::thread hanging([this] { EXPECT_FALSE(Fetch(ListUrl(*simulator_, 1, 5), 1h).ok()); });
  while (simulator_->Stats().faults_injected < 2) std::this_thread::yield();
  simulator_->Stop();
  hanging.join();
}

TEST_P(FaultsTest, HangRateHangsCalls) {
  simulator_->SetFaults({.hang_rate = 1.0, .hang = std::chrono::hours(1)});
  // The timeout must leave room for a TLS handshake on a loaded machine: a
  // call cut short before its request arrived would hang nothing.
  for (int call = 0; call < 3; ++call) {
    auto response = Fetch(ListUrl(*simulator_, 1, 5), 500ms);
    ASSERT_FALSE(response.ok());
    EXPECT_NE(response.status().message().find("Timeout was reached"), std::string::npos);
  }
  EXPECT_EQ(simulator_->Stats().faults_injected, 3);
  simulator_->SetFaults({});
  EXPECT_EQ(ListCode(), "00");
}

TEST_P(FaultsTest, DailyQuotaIsPerOperationAndPerDay) {
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

TEST_P(FaultsTest, PerSecondLimit) {
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

TEST_P(FaultsTest, Http500And503ComeWithAnHtmlBody) {
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

TEST_P(FaultsTest, MalformedBodiesDoNotParse) {
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

TEST_P(FaultsTest, ErrorCodesUseTheirEnvelopes) {
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

TEST_P(FaultsTest, EndpointGoneAnswersCode12) {
  simulator_->SetFaults({.endpoint_gone = true});
  auto document = FetchXml(ListUrl(*simulator_, 1, 5));
  EXPECT_EQ(ResultCodeOf(document), "12");
  EXPECT_NE(std::string(document.select_node("//returnAuthMsg").node().text().get()), "");
}

TEST_P(FaultsTest, RatesAreDeterministicForASeed) {
  SimulatorFaultOptions faults{.error_rate = 0.3, .error_codes = {"01", "02", "99"}};
  auto sequence = [&](Simulator& simulator) {
    simulator.SetFaults(faults);
    std::string codes;
    for (int call = 0; call < 40; ++call) {
      codes += ResultCodeOf(FetchXml(ListUrl(simulator, 1, 1))) + ",";
    }
    return codes;
  };
  auto twin = StartOrDie(SmallWorld(GetParam()));
  std::string ours = sequence(*simulator_);
  EXPECT_EQ(ours, sequence(*twin));
  EXPECT_NE(ours.find("00"), std::string::npos);
  EXPECT_TRUE(ours.find("01") != std::string::npos || ours.find("02") != std::string::npos ||
              ours.find("99") != std::string::npos);
  EXPECT_GT(simulator_->Stats().faults_injected, 0);
}

TEST_P(FaultsTest, LatencyPassesOnTheSimulatorsClock) {
  simulator_->SetFaults({.latency = 120ms, .latency_jitter = 30ms});
  auto before = clock_.Elapsed();
  EXPECT_EQ(ListCode(), "00");
  auto waited = clock_.Elapsed() - before;
  EXPECT_GE(waited, 120ms);
  EXPECT_LT(waited, 150ms);
}

// An idle kept-alive connection and a hung call do not hold Stop() up.
TEST_P(FaultsTest, StopEndsIdleKeepAliveConnectionsAndHangs) {
  auto client = LoopbackClient();  // keeps its connection open after the call
  ASSERT_TRUE(client->Get(ListUrl(*simulator_, 1, 1), "", kTestTimeout).ok());
  simulator_->SetFaults({.hang = std::chrono::hours(1), .hang_first_n = 1});
  std::thread hanging([this] { EXPECT_FALSE(Fetch(ListUrl(*simulator_, 1, 1), 1h).ok()); });
  while (simulator_->Stats().faults_injected < 1) std::this_thread::yield();
  simulator_->Stop();
  simulator_->Stop();  // idempotent
  hanging.join();
}

INSTANTIATE_TEST_SUITE_P(Schemes, FaultsTest, ::testing::Values(Scheme::kHttp, Scheme::kHttps),
                         SchemeName);

// hang_rate (and every rate) hits about that share of calls, the same calls
// for the same seed, and a hang carries its duration.
TEST(FaultInjector, HangRateHangsThatShareOfCalls) {
  FakeClock clock{std::chrono::system_clock::time_point()};
  const SimulatorFaultOptions faults{.hang_rate = 0.25, .hang = 7s};
  auto hung_calls = [&] {
    simulator::FaultInjector injector(/*seed=*/42, clock, faults);
    std::vector<int> hung;
    for (int call = 0; call < 2000; ++call) {
      simulator::FaultDraw draw = injector.Draw();
      if (draw.transport != simulator::TransportFault::kHang) continue;
      hung.push_back(call);
      EXPECT_EQ(draw.hang, 7s);
      EXPECT_TRUE(draw.any_fault());
    }
    return hung;
  };
  std::vector<int> hung = hung_calls();
  // 500 expected; a fair coin per call stays within 5 standard deviations.
  EXPECT_GT(hung.size(), 500u - 97u);
  EXPECT_LT(hung.size(), 500u + 97u);
  EXPECT_EQ(hung, hung_calls());
}

TEST(FaultInjector, HangFirstNHangsExactlyTheFirstCalls) {
  FakeClock clock{std::chrono::system_clock::time_point()};
  simulator::FaultInjector injector(/*seed=*/1, clock, {.hang_first_n = 3});
  for (int call = 0; call < 10; ++call) {
    EXPECT_EQ(injector.Draw().transport == simulator::TransportFault::kHang, call < 3) << call;
  }
}

}  // namespace
}  // namespace silverwork::testing
