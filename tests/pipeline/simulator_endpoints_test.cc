// SILVERWORK_SIMULATOR_URL: how `silverwork standalone` points its task
// processes at the one simulator it runs.
#include "pipeline/simulator_endpoints.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "simulator/simulator.h"

namespace silverwork {
namespace {

class SimulatorEnvironmentTest : public ::testing::Test {
 protected:
  void TearDown() override { unsetenv(kSimulatorUrlVariable); }
};

TEST_F(SimulatorEnvironmentTest, UnsetLeavesTheConfigAlone) {
  unsetenv(kSimulatorUrlVariable);
  Config config;
  config.postings.calls_per_day = 1000;
  ASSERT_TRUE(ApplySimulatorEnvironment(config).ok());
  EXPECT_TRUE(config.service_key.empty());
  EXPECT_TRUE(config.postings.base_url.empty());
  EXPECT_EQ(config.postings.calls_per_day, 1000);
}

TEST_F(SimulatorEnvironmentTest, SetPointsEverySourceAtTheSimulatorWithItsDemoKey) {
  setenv(kSimulatorUrlVariable, "http://127.0.0.1:8090", 1);
  Config config;
  config.postings.base_url = "https://apis.data.go.kr";
  config.postings.calls_per_day = 1000;
  ASSERT_TRUE(ApplySimulatorEnvironment(config).ok());
  EXPECT_EQ(config.service_key, kSimulatorDemoKey);
  EXPECT_EQ(config.postings.base_url, "http://127.0.0.1:8090");
  EXPECT_EQ(config.projects.base_url, "http://127.0.0.1:8090");
  EXPECT_EQ(config.projects.openapi_url,
            std::string("http://127.0.0.1:8090") + kSimulatorProjectsDocumentPath);
  EXPECT_EQ(config.postings.calls_per_day, 0) << "the simulator has no quota to wait for";
  EXPECT_EQ(config.projects.calls_per_second, 0);
}

TEST_F(SimulatorEnvironmentTest, ABadUrlIsAnErrorNamingTheVariable) {
  for (const char* bad : {"127.0.0.1:8090", "http://", "http://127.0.0.1:8090/"}) {
    setenv(kSimulatorUrlVariable, bad, 1);
    Config config;
    Status status = ApplySimulatorEnvironment(config);
    EXPECT_EQ(status.code(), ErrorCode::kInvalidInput) << bad;
    EXPECT_NE(status.message().find(kSimulatorUrlVariable), std::string::npos) << bad;
    EXPECT_TRUE(config.postings.base_url.empty()) << "nothing changed";
  }
}

}  // namespace
}  // namespace silverwork
