// `silverwork task run` (the scheduler's way to run one task) and
// SILVERWORK_NOW, through the binary against a simulator on loopback.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "../ingest/ingest_harness.h"
#include "process.h"

namespace silverwork::testing {
namespace {

class TaskBinary {
 public:
  explicit TaskBinary(SimulatorOptions world = SmallWorldOptions()) {
    auto started = Simulator::Start(world);
    if (!started.ok()) throw std::runtime_error(started.status().ToString());
    simulator_ = std::move(started).value();
    config_path_ = dir_.path() + "/silverwork.toml";
    std::ofstream(config_path_)
        << "[warehouse]\npath = \"" << dir_.path() << "/warehouse.db\"\n"
        << "[lake]\npath = \"" << dir_.path() << "/lake\"\nfsync = false\n"
        << "[postings]\nbase_url = \"" << simulator_->base_url() << "\"\n"
        << "rows_per_page = 100\nconcurrency = 4\ncalls_per_second = 0\ncalls_per_day = 0\n"
        << "lookback_days = 1\nbatch_size = 20\nbackoff_base_ms = 5\nbackoff_max_ms = 50\n"
        << "[projects]\nbase_url = \"" << simulator_->base_url() << "\"\nper_page = 50\n"
        << "openapi_url = \"" << simulator_->base_url() << kSimulatorProjectsDocumentPath
        << "\"\n"
        << "calls_per_second = 0\ncalls_per_day = 0\n";
  }

  // Runs the binary with `args`; stdout and stderr of this run are in out()
  // and err() until the next run.
  int Run(const std::vector<std::string>& args, const std::string& now = "") {
    ++runs_;
    std::vector<std::string> argv{SILVERWORK_BINARY, "--config", config_path_};
    argv.insert(argv.end(), args.begin(), args.end());
    std::map<std::string, std::string> env{{"DATA_GO_KR_SERVICE_KEY", kSimulatorDemoKey},
                                           {"SILVERWORK_NOW", now}};
    return ChildProcess(argv, env, OutPath(), ErrPath()).Wait();
  }
  std::string out() const { return ReadFile(OutPath()); }
  std::string err() const { return ReadFile(ErrPath()); }
  // The last line of stdout, as JSON.
  nlohmann::json Report() const {
    std::string text = out();
    while (!text.empty() && text.back() == '\n') text.pop_back();
    return nlohmann::json::parse(text.substr(text.rfind('\n') + 1));
  }
  Simulator& simulator() { return *simulator_; }

 private:
  std::string OutPath() const { return dir_.path() + "/out-" + std::to_string(runs_) + ".txt"; }
  std::string ErrPath() const { return dir_.path() + "/err-" + std::to_string(runs_) + ".txt"; }

  TempDir dir_;
  std::unique_ptr<Simulator> simulator_;
  std::string config_path_;
  int runs_ = 0;
};

TEST(TaskRun, CollectsTheGivenDaysAndReportsItsFiguresAsJson) {
  TaskBinary binary;
  ASSERT_EQ(binary.Run({"task", "run", "collect_postings", "--from", "2025-06-28", "--to",
                        "2025-06-30"}),
            0)
      << binary.err();
  EXPECT_NE(binary.out().find("postings 2025-06-28..2025-06-30: "), std::string::npos)
      << binary.out();
  nlohmann::json report = binary.Report();
  EXPECT_EQ(report.at("task"), "collect_postings");
  EXPECT_EQ(report.at("status"), "success");
  EXPECT_EQ(report.at("figures").at("window_days"), 3);
  EXPECT_GT(report.at("figures").at("postings_in_window").get<int64_t>(), 50);
  EXPECT_EQ(report.at("figures").at("details_failed"), 0);
  EXPECT_FALSE(report.contains("error"));
  SimulatorStats served = binary.simulator().Stats();
  EXPECT_EQ(report.at("figures").at("calls").get<int64_t>(),
            served.list_calls + served.detail_calls);

  ASSERT_EQ(binary.Run({"task", "run", "collect_projects"}), 0) << binary.err();
  EXPECT_GT(binary.Report().at("figures").at("rows_loaded").get<int64_t>(), 0);
  ASSERT_EQ(binary.Run({"task", "run", "reload"}), 0) << binary.err();
  EXPECT_EQ(binary.Report().at("task"), "reload");
  EXPECT_EQ(binary.Report().at("figures").at("skipped_errors"), 0);
}

TEST(TaskRun, ASpentQuotaExitsThreeAndSaysStopped) {
  SimulatorOptions world = SmallWorldOptions();
  world.faults.daily_quota = 40;
  TaskBinary binary(world);
  EXPECT_EQ(binary.Run({"task", "run", "collect_postings", "--from", "2025-06-25", "--to",
                        "2025-06-30"}),
            3)
      << binary.err();
  nlohmann::json report = binary.Report();
  EXPECT_EQ(report.at("status"), "stopped");
  EXPECT_EQ(report.at("error").at("code"), "quota exhausted");
  EXPECT_NE(binary.err().find("code 22"), std::string::npos) << binary.err();
}

TEST(TaskRun, BadParametersExitOneSayingWhatToGive) {
  TaskBinary binary;
  struct Case {
    std::vector<std::string> args;
    const char* says;
  };
  const Case cases[] = {
      {{"task", "run", "collect_everything"}, "use one of collect_postings, collect_projects"},
      {{"task", "run", "collect_postings"}, "needs the days to collect"},
      {{"task", "run", "collect_postings", "--from", "2025-06-28"}, "needs both --from and --to"},
      {{"task", "run", "collect_postings", "--from", "2025-06-30", "--to", "2025-06-28"},
       "is before --from"},
      {{"task", "run", "build", "--from", "2025-06-28", "--to", "2025-06-28"},
       "apply to collect_postings only"},
  };
  for (const auto& test_case : cases) {
    EXPECT_EQ(binary.Run(test_case.args), 1) << test_case.says;
    EXPECT_NE(binary.err().find(test_case.says), std::string::npos) << binary.err();
  }
  EXPECT_EQ(binary.simulator().Stats().requests, 0);
  EXPECT_EQ(binary.Run({"task"}), 2) << "a usage error, like any command's";
  EXPECT_EQ(binary.Run({"--help"}), 0);
  EXPECT_NE(binary.out().find("\n  scheduler "), std::string::npos) << binary.out();
  EXPECT_EQ(binary.out().find("\n  task "), std::string::npos) << "hidden from --help";
}

TEST(SilverworkNow, TheCommandsRunAsOfThatInstantWithAWarning) {
  TaskBinary binary;
  // 23:59 in Korea on the simulator's today: the default window ends today.
  ASSERT_EQ(binary.Run({"collect", "postings", "--days", "2"}, "2025-06-30T23:59:00+09:00"), 0)
      << binary.err();
  EXPECT_NE(binary.out().find("postings 2025-06-29..2025-06-30: "), std::string::npos)
      << binary.out();
  EXPECT_NE(binary.err().find("SILVERWORK_NOW is set"), std::string::npos) << binary.err();
  ASSERT_EQ(binary.Run({"status"}, "2025-06-30T23:59:30+09:00"), 0) << binary.err();
  std::string status = binary.out();
  EXPECT_NE(status.find("collect postings   success  2025-06-29..2025-06-30"), std::string::npos)
      << status;
  EXPECT_NE(status.find("run 20250630T1459"), std::string::npos) << "the run id tells the time";

  EXPECT_EQ(binary.Run({"status"}, "tomorrow"), 1);
  EXPECT_NE(binary.err().find("SILVERWORK_NOW: 'tomorrow' is not an ISO 8601 instant"),
            std::string::npos)
      << binary.err();
  EXPECT_EQ(binary.Run({"status"}), 0) << "unset (empty): the real time";
  EXPECT_EQ(binary.err().find("SILVERWORK_NOW"), std::string::npos) << binary.err();
}

}  // namespace
}  // namespace silverwork::testing
