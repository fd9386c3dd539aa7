// README's two commands: `scripts/main-job.sh` run as README says, with
// SILVERWORK_PORT and SILVERWORK_DAYS, on a machine already set up
// (SILVERWORK_SKIP_INSTALL=1, SILVERWORK_BIN: the binary under test), against
// a small simulator as of a fixed SILVERWORK_NOW: it prints the dashboard's
// URL on that port, serves the dashboard and the pipelines API there, and
// stops cleanly on SIGINT. And the README's first block holds exactly the
// two commands, the second being what CI runs. Installing on a fresh machine
// stays a manual check (docs/testing.md).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "scheduler_harness.h"

namespace silverwork::testing {
namespace {

// A loopback port nothing listens on now (the OS's choice, then released).
int FreePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), length), 0);
  EXPECT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length), 0);
  ::close(fd);
  return ntohs(address.sin_port);
}

// The lines of `text` that are neither blank nor comments, trimmed.
std::vector<std::string> CodeLines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    const size_t first = line.find_first_not_of(' ');
    if (first == std::string::npos || line[first] == '#') continue;
    lines.push_back(line.substr(first));
  }
  return lines;
}

TEST(MainJobScript, ServesOnSilverworkPortAndStopsOnSigint) {
  SimulatorOptions simulator = SmallWorldOptions();
  simulator.data.today = Date::FromYmd(2025, 7, 4);
  SchedulerWorld world({.simulator = simulator, .pipelines = ShippedPipelines()});
  const std::string web_dir = world.Path("web");
  std::filesystem::create_directory(web_dir);
  std::ofstream(web_dir + "/index.html") << "<!doctype html><title>silverwork dashboard</title>";

  const int port = FreePort();
  const std::string out = world.Path("main-job.out"), err = world.Path("main-job.err");
  ChildProcess script({std::string(SILVERWORK_SOURCE_DIR) + "/scripts/main-job.sh"},
                      {{"SILVERWORK_SKIP_INSTALL", "1"},
                       {"SILVERWORK_BIN", SILVERWORK_BINARY},
                       {"SILVERWORK_PORT", std::to_string(port)},
                       {"SILVERWORK_DAYS", "2"},
                       {"SILVERWORK_CONFIG", world.Path("silverwork.toml")},
                       {"SILVERWORK_WEB_DIR", web_dir},
                       {"SILVERWORK_NOW", "2025-07-04T03:00:00Z"},
                       {"DATA_GO_KR_SERVICE_KEY", kSchedulerMarkerKey}},
                      out, err);
  ASSERT_TRUE(world.WaitForText(out, "catch-up finished", script))
      << ReadFile(out) << ReadFile(err);
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/";
  EXPECT_TRUE(ReadFile(out).starts_with("dashboard: " + url + "\n")) << ReadFile(out);
  EXPECT_NE(ReadFile(out).find("catch-up finished: 2 succeeded, 0 failed"), std::string::npos)
      << ReadFile(out);

  httplib::Client client("127.0.0.1", port);
  auto dashboard = client.Get("/");
  ASSERT_TRUE(dashboard) << httplib::to_string(dashboard.error());
  EXPECT_EQ(dashboard->status, 200);
  EXPECT_NE(dashboard->body.find("silverwork dashboard"), std::string::npos) << dashboard->body;
  auto pipelines = client.Get("/api/v1/pipelines");
  ASSERT_TRUE(pipelines) << httplib::to_string(pipelines.error());
  ASSERT_EQ(pipelines->status, 200) << pipelines->body;
  const nlohmann::json answer = nlohmann::json::parse(pipelines->body, nullptr, false);
  std::vector<std::string> names;
  for (const auto& pipeline : answer["data"]["pipelines"])
    names.push_back(pipeline.value("pipeline", ""));
  EXPECT_NE(std::find(names.begin(), names.end(), "postings_daily"), names.end())
      << pipelines->body;

  // SILVERWORK_DAYS=2: the catch-up's one collection covered the two days
  // before today in Korea.
  EXPECT_EQ(world.Days("postings_daily"), "2025-07-02=success 2025-07-03=success");

  script.Kill(SIGINT);
  EXPECT_EQ(script.Wait(), 0) << ReadFile(err);
  EXPECT_NE(ReadFile(err).find("standalone stopped"), std::string::npos) << ReadFile(err);
}

TEST(Readme, StartsWithTheTwoCommandsAndCiRunsTheTestOne) {
  const std::string readme = SourceFile("README.md");
  const size_t block = readme.find("```sh\n");
  ASSERT_NE(block, std::string::npos) << "README.md has no sh block";
  EXPECT_EQ(readme.find("```"), block) << "the commands are README's first block";
  const size_t start = block + 6;
  const std::string commands = readme.substr(start, readme.find("```", start) - start);
  std::vector<std::string> programs;
  for (const std::string& line : CodeLines(commands)) programs.push_back(line.substr(0, line.find(' ')));
  EXPECT_EQ(programs, (std::vector<std::string>{"scripts/main-job.sh", "scripts/test.sh"}))
      << commands;

  EXPECT_EQ(CodeLines(SourceFile(".ci/run")),
            (std::vector<std::string>{"set -euo pipefail", "cd \"$(dirname \"$0\")/..\"",
                                      "exec scripts/test.sh"}));
}

}  // namespace
}  // namespace silverwork::testing
