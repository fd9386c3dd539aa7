// The data.go.kr clients (ApiCaller and its retry policy, the real HTTP
// client) against every fault the simulator injects, over http and over https
// with certificate verification on: a retryable fault is retried until the
// answer equals the fault-free one; the others fail at once, saying what to
// do. Time (backoff, latency, per-second windows) runs on one FakeClock.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <tuple>

#include "../simulator/simulator_test_util.h"
#include "common/clock.h"
#include "sources/datagokr_client.h"

namespace silverwork::testing {
namespace {

using namespace std::chrono_literals;

struct FaultCase {
  const char* name;
  SimulatorFaultOptions faults;
  int attempts;  // of the call that meets the fault; 0: at least two
};

// Each retryable fault hits the first two calls (or, for a hang, the first).
// A reset on a kept-alive connection looks like a server that closed it while
// idle, which the client retries once by itself (as libcurl does): the two
// resets cost the caller one attempt.
const FaultCase kRetryable[] = {
    {"error_codes", {.error_codes = {"01", "02", "05", "99"}, .error_first_n = 2}, 3},
    {"http500", {.http500_first_n = 2}, 3},
    {"http503", {.http503_first_n = 2}, 3},
    {"truncated", {.truncated_first_n = 2}, 3},
    {"malformed", {.malformed_first_n = 2}, 3},
    {"reset", {.reset_first_n = 2}, 2},
    {"hang", {.hang = std::chrono::hours(1), .hang_first_n = 1}, 0},
    {"latency", {.latency = 250ms, .latency_jitter = 50ms}, 1},
};

class Sources {
 public:
  Sources(Scheme scheme, const std::string& ca_file) {
    SimulatorOptions options = SmallWorld(scheme);
    options.clock = &clock;
    simulator = StartOrDie(options);
    if (simulator == nullptr) return;
    HttpClientOptions http = LoopbackClientOptions();
    http.ca_file = ca_file;
    ApiCallerOptions caller;
    caller.base_url = simulator->base_url();
    caller.retry.max_attempts = 6;
    caller.retry.rate_limited_delay = 2s;  // backoff of at least 1 s: a new window
    caller.jitter_seed = 42;
    caller.timeout = 60s;
    auto make = [&](std::chrono::milliseconds timeout) {
      caller.timeout = timeout;
      return std::make_unique<ApiCaller>(caller, key, budget, nullptr, clock,
                                         CreateHttpClient(http));
    };
    senuri = std::make_unique<SenuriClient>(make(60s));
    projects = std::make_unique<ProjectsClient>(make(60s));
    impatient_senuri = std::make_unique<SenuriClient>(make(200ms));
  }

  FakeClock clock{std::chrono::sys_days{std::chrono::year{2026} / 12 / 1} + std::chrono::hours{3}};
  ServiceKey key{kSimulatorDemoKey};
  RateBudget budget{{.calls_per_second = 0, .calls_per_day = 0}, clock};
  std::unique_ptr<Simulator> simulator;
  std::unique_ptr<SenuriClient> senuri, impatient_senuri;
  std::unique_ptr<ProjectsClient> projects;
};

const std::string kProjectsFile = KnownProjectFiles()[1].second;

class RetryableFaults : public ::testing::TestWithParam<std::tuple<Scheme, FaultCase>> {};

TEST_P(RetryableFaults, AreRetriedUntilTheAnswerIsTheFaultFreeOne) {
  const auto& [scheme, fault] = GetParam();
  Sources sources(scheme, SharedTestTls().pki.ca_file());
  ASSERT_NE(sources.simulator, nullptr);
  auto list = sources.senuri->ListPage(1, 20);
  auto projects = sources.projects->Page(kProjectsFile, 2, 15);
  ASSERT_TRUE(list.ok() && projects.ok())
      << list.status().ToString() << projects.status().ToString();
  ASSERT_EQ(list->page.items.size(), 20u);
  ASSERT_EQ(projects->page.items.size(), 15u);

  // A hang needs a client that gives up: only that case uses it.
  SenuriClient& senuri = fault.attempts == 0 ? *sources.impatient_senuri : *sources.senuri;
  auto before = sources.clock.Elapsed();
  sources.simulator->SetFaults(fault.faults);  // a new epoch: the first calls meet the fault
  auto faulted_list = senuri.ListPage(1, 20);
  ASSERT_TRUE(faulted_list.ok()) << faulted_list.status().ToString();
  EXPECT_EQ(faulted_list->page.items, list->page.items);
  if (fault.attempts == 0) {
    EXPECT_GE(faulted_list->attempts, 2);
  } else {
    EXPECT_EQ(faulted_list->attempts, fault.attempts);
  }
  if (fault.faults.latency > 0ms) {
    EXPECT_GE(sources.clock.Elapsed() - before, fault.faults.latency) << "latency on the clock";
  }

  if (fault.attempts != 0) {  // the projects API, JSON envelopes
    sources.simulator->SetFaults(fault.faults);
    auto faulted_projects = sources.projects->Page(kProjectsFile, 2, 15);
    ASSERT_TRUE(faulted_projects.ok()) << faulted_projects.status().ToString();
    EXPECT_EQ(faulted_projects->page.items, projects->page.items);
    EXPECT_EQ(faulted_projects->attempts, fault.attempts);
  }
  if (fault.faults.latency == 0ms) {
    EXPECT_GT(sources.simulator->Stats().faults_injected, 0);
  }
}

INSTANTIATE_TEST_SUITE_P(
    EveryFault, RetryableFaults,
    ::testing::Combine(::testing::Values(Scheme::kHttp, Scheme::kHttps),
                       ::testing::ValuesIn(kRetryable)),
    [](const ::testing::TestParamInfo<std::tuple<Scheme, FaultCase>>& param_info) {
      return std::string(std::get<0>(param_info.param) == Scheme::kHttps ? "https_" : "http_") +
             std::get<1>(param_info.param).name;
    });

class FailFast : public ::testing::TestWithParam<Scheme> {};

TEST_P(FailFast, PerSecondLimitWaitsForTheNextSecond) {
  Sources sources(GetParam(), SharedTestTls().pki.ca_file());
  ASSERT_NE(sources.simulator, nullptr);
  sources.simulator->SetFaults({.per_second_limit = 1});
  ASSERT_TRUE(sources.senuri->ListPage(1, 5).ok());
  auto refused_then_served = sources.senuri->ListPage(2, 5);
  ASSERT_TRUE(refused_then_served.ok()) << refused_then_served.status().ToString();
  EXPECT_EQ(refused_then_served->attempts, 2);
  EXPECT_GE(sources.clock.Elapsed(), 1s);
}

TEST_P(FailFast, QuotaGoneAndKeyErrorsAreNotRetried) {
  Sources sources(GetParam(), SharedTestTls().pki.ca_file());
  ASSERT_NE(sources.simulator, nullptr);
  sources.simulator->SetFaults({.daily_quota = 1});
  ASSERT_TRUE(sources.senuri->ListPage(1, 5).ok());
  EXPECT_EQ(sources.senuri->ListPage(2, 5).status().code(), ErrorCode::kQuotaExhausted);
  EXPECT_EQ(sources.simulator->Stats().list_calls, 2);

  sources.simulator->SetFaults({.endpoint_gone = true});
  EXPECT_EQ(sources.projects->Page(kProjectsFile, 1, 5).status().code(), ErrorCode::kGone);
  EXPECT_EQ(sources.simulator->Stats().projects_calls, 1);

  sources.simulator->SetFaults({});
  ServiceKey wrong("not-the-registered-key");
  RateBudget fresh({.calls_per_second = 0, .calls_per_day = 0}, sources.clock);
  ApiCallerOptions options;
  options.base_url = sources.simulator->base_url();
  SenuriClient stranger(std::make_unique<ApiCaller>(options, wrong, fresh, nullptr, sources.clock,
                                                    CreateHttpClient(LoopbackClientOptions())));
  auto refused = stranger.ListPage(1, 5);
  EXPECT_EQ(refused.status().code(), ErrorCode::kAuth);
  EXPECT_NE(refused.status().hint().find("DATA_GO_KR_SERVICE_KEY"), std::string::npos);
  EXPECT_EQ(sources.simulator->Stats().list_calls, 3);
}

INSTANTIATE_TEST_SUITE_P(Schemes, FailFast, ::testing::Values(Scheme::kHttp, Scheme::kHttps),
                         SchemeName);

TEST(UntrustedCertificate, FailsTheFirstCallWithoutRetryingOrReachingTheService) {
  Sources sources(Scheme::kHttps, /*ca_file=*/"");
  ASSERT_NE(sources.simulator, nullptr);
  auto refused = sources.senuri->ListPage(1, 5);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), ErrorCode::kAuth);
  EXPECT_NE(refused.status().message().find("the certificate of 127.0.0.1 is not trusted"),
            std::string::npos)
      << refused.status().message();
  EXPECT_NE(refused.status().hint().find("[http] ca_file"), std::string::npos);
  EXPECT_EQ(sources.simulator->Stats().requests, 0);
  EXPECT_EQ(sources.clock.Elapsed(), 0s) << "no backoff: nothing was retried";
}

}  // namespace
}  // namespace silverwork::testing
