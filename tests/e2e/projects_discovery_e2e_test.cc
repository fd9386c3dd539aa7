// `silverwork collect projects` and `--discover-only` through the binary,
// against a simulator whose projects files change over simulated time.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "../ingest/ingest_harness.h"
#include "lake/lake.h"
#include "process.h"
#include "scheduler/task_state.h"
#include "simulate_process.h"

namespace silverwork::testing {
namespace {

constexpr const char* kLateFile = "0d5e8b1c-7f3a-4c2e-9b6d-51a0e4c7f2b9";

class ProjectsBinary {
 public:
  explicit ProjectsBinary(SimulatorOptions world) {
    auto started = Simulator::Start(world);
    if (!started.ok()) throw std::runtime_error(started.status().ToString());
    simulator = std::move(started).value();
    WriteConfig("");
  }

  // `pins`: lines for [projects.files], e.g. "2018 = \"...\"\n".
  void WriteConfig(const std::string& pins) {
    std::ofstream(ConfigPath(), std::ios::trunc)
        << "[warehouse]\npath = \"" << dir.path() << "/warehouse.db\"\n"
        << "[lake]\npath = \"" << dir.path() << "/lake\"\nfsync = false\n"
        << "[postings]\nbackoff_base_ms = 5\nbackoff_max_ms = 50\n"  // projects retries too
        << "[projects]\nbase_url = \"" << simulator->base_url() << "\"\n"
        << "openapi_url = \"" << simulator->base_url() << kSimulatorProjectsDocumentPath << "\"\n"
        << "per_page = 50\ncalls_per_second = 0\ncalls_per_day = 0\n"
        << (pins.empty() ? "" : "[projects.files]\n" + pins);
  }

  // Runs the binary with `args`; this run's stdout and stderr are in
  // Stdout() and Stderr() until the next run.
  int Run(const std::vector<std::string>& args) {
    ++runs_;
    std::vector<std::string> argv{SILVERWORK_BINARY, "--config", ConfigPath()};
    argv.insert(argv.end(), args.begin(), args.end());
    return ChildProcess(argv, {{"DATA_GO_KR_SERVICE_KEY", kSimulatorDemoKey}}, Out(), Err()).Wait();
  }
  std::string Stdout() const { return ReadFile(Out()); }
  // The last line of stdout as JSON (`task run` ends with its report).
  nlohmann::json LastJsonLine() const {
    std::string text = Stdout();
    while (!text.empty() && text.back() == '\n') text.pop_back();
    return nlohmann::json::parse(text.substr(text.rfind('\n') + 1));
  }
  std::string Stderr() const { return ReadFile(Err()); }

  int64_t LakeRecords() const {
    if (!std::filesystem::exists(dir.path() + "/lake")) return 0;
    int64_t records = 0;
    EXPECT_TRUE(LakeReader(dir.path() + "/lake")
                    .ForEach({},
                             [&](const LakeRecord&) {
                               ++records;
                               return Status::Ok();
                             })
                    .ok());
    return records;
  }

  TempDir dir;
  std::unique_ptr<Simulator> simulator;

 private:
  std::string ConfigPath() const { return dir.path() + "/silverwork.toml"; }
  std::string Out() const { return dir.path() + "/stdout-" + std::to_string(runs_) + ".txt"; }
  std::string Err() const { return dir.path() + "/stderr-" + std::to_string(runs_) + ".txt"; }
  int runs_ = 0;
};

// The small world, where kLateFile is published four days after today.
const Date kLateFilePublishedOn = kToday.AddDays(4);
SimulatorOptions WorldWithLateFile() {
  SimulatorOptions world = SmallWorldOptions();
  world.data.projects_events.published =
      ProjectsFileEvents::Published{2025, kLateFile, kLateFilePublishedOn};
  return world;
}

TEST(ProjectsBinary, DiscoverOnlyPrintsTheFilesAndWhatChangedAndCollectsNothing) {
  ProjectsBinary binary(WorldWithLateFile());

  ASSERT_EQ(binary.Run({"collect", "projects", "--discover-only"}), 0) << binary.Stderr();
  std::string first = binary.Stdout();
  EXPECT_NE(first.find("5 listed"), std::string::npos) << first;
  EXPECT_NE(first.find("changed since the last collection: 5 new"), std::string::npos) << first;
  EXPECT_EQ(binary.simulator->Stats().projects_calls, 0);
  EXPECT_EQ(binary.LakeRecords(), 0) << "discovery lands nothing";

  ASSERT_EQ(binary.Run({"collect", "projects"}), 0) << binary.Stderr();
  EXPECT_NE(binary.Stdout().find("from 5 files"), std::string::npos) << binary.Stdout();
  ASSERT_EQ(binary.Run({"collect", "projects", "--discover-only"}), 0);
  EXPECT_NE(binary.Stdout().find("no change since the last collection"), std::string::npos)
      << binary.Stdout();

  binary.simulator->SetToday(kLateFilePublishedOn);
  ASSERT_EQ(binary.Run({"collect", "projects", "--discover-only"}), 0);
  std::string changed = binary.Stdout();
  EXPECT_NE(changed.find(std::string("new        ") + kLateFile), std::string::npos) << changed;
  EXPECT_NE(changed.find("changed since the last collection: 1 new"), std::string::npos);

  ASSERT_EQ(binary.Run({"collect", "projects"}), 0) << binary.Stderr();
  EXPECT_NE(binary.Stdout().find(std::string("new file ") + kLateFile), std::string::npos)
      << binary.Stdout();
  EXPECT_NE(binary.Stdout().find("2025: "), std::string::npos);
  EXPECT_EQ(binary.simulator->Stats().document_calls_with_key, 0) << "the key stays home";
}

// The scheduler's `discover_projects` sensor: exit 0 when a file changed, 4
// (kTaskExitNothingNew) when nothing did, 1 when the document is unreadable.
TEST(ProjectsBinary, TheDiscoverProjectsTaskExitsFourWhenNothingIsNew) {
  ProjectsBinary binary(WorldWithLateFile());

  ASSERT_EQ(binary.Run({"task", "run", "discover_projects"}), 0) << binary.Stderr();
  nlohmann::json first = binary.LastJsonLine();
  EXPECT_EQ(first.at("task"), "discover_projects");
  EXPECT_EQ(first.at("status"), "success");
  EXPECT_EQ(first.at("figures").at("files_listed"), 5);
  EXPECT_EQ(first.at("figures").at("new"), 5);
  EXPECT_EQ(first.at("figures").at("changed"), 1);
  EXPECT_NE(binary.Stdout().find("changed since the last collection: 5 new"), std::string::npos)
      << binary.Stdout();

  ASSERT_EQ(binary.Run({"task", "run", "collect_projects"}), 0) << binary.Stderr();
  EXPECT_EQ(binary.Run({"task", "run", "discover_projects"}), scheduler::kTaskExitNothingNew)
      << binary.Stderr();
  nlohmann::json unchanged = binary.LastJsonLine();
  EXPECT_EQ(unchanged.at("status"), "success") << "nothing new is no failure";
  EXPECT_EQ(unchanged.at("figures").at("changed"), 0);
  EXPECT_FALSE(unchanged.contains("error"));
  EXPECT_NE(binary.Stdout().find("no change since the last collection"), std::string::npos);
  EXPECT_EQ(binary.Stderr(), "");

  binary.simulator->SetToday(kLateFilePublishedOn);
  ASSERT_EQ(binary.Run({"task", "run", "discover_projects"}), 0) << binary.Stderr();
  EXPECT_EQ(binary.LastJsonLine().at("figures").at("new"), 1);
  EXPECT_EQ(binary.LastJsonLine().at("figures").at("files_listed"), 6);

  SimulatorFaultOptions faults;
  faults.document_fault = ProjectsDocumentFault::kNotJson;
  binary.simulator->SetFaults(faults);
  EXPECT_EQ(binary.Run({"task", "run", "discover_projects"}), 1);
  EXPECT_EQ(binary.LastJsonLine().at("status"), "failed");
  EXPECT_NE(binary.Stderr().find("openapi_url"), std::string::npos) << binary.Stderr();
  EXPECT_EQ(binary.simulator->Stats().document_calls_with_key, 0) << "the key stays home";
}

TEST(ProjectsBinary, AnUnpublishedPinFailsAloneAndSaysSo) {
  ProjectsBinary binary(SmallWorldOptions());
  binary.WriteConfig("2018 = \"" + KnownProjectFiles().front().second + "\"\n" +
                     "2021 = \"00000000-0000-0000-0000-000000000000\"\n");
  EXPECT_EQ(binary.Run({"collect", "projects"}), 1);
  std::string err = binary.Stderr();
  EXPECT_NE(err.find("1 of 2 projects files failed"), std::string::npos) << err;
  EXPECT_NE(err.find("00000000-0000-0000-0000-000000000000 (pinned as 2021) is not published"),
            std::string::npos)
      << err;
  EXPECT_NE(err.find("[projects.files]"), std::string::npos);
  EXPECT_EQ(err.find("DATA_GO_KR_SERVICE_KEY"), std::string::npos) << "not a key problem";
  EXPECT_NE(binary.Stdout().find("2018: "), std::string::npos) << "the other file was collected";
}

// The projects document the simulator serves; the status of the last
// parse is kept for the tests of a broken document.
class ProjectsSimulator : public SimulateProcess {
 public:
  using SimulateProcess::SimulateProcess;

  ProjectsDocument Document() const {
    auto response = CreateHttpClient()->Get(url() + kSimulatorProjectsDocumentPath, "document",
                                            std::chrono::milliseconds(5000));
    EXPECT_TRUE(response.ok()) << response.status().ToString();
    if (!response.ok()) return {};
    auto parsed = ParseProjectsDocument(response->body, response->status, "document");
    last_status_ = parsed.status();
    return parsed.ok() ? *parsed : ProjectsDocument{};
  }
  const Status& last_status() const { return last_status_; }

 private:
  mutable Status last_status_;
};

TEST(SimulateBinary, ProjectsFileFlagsChangeTheDocumentOnTheirDays) {
  ProjectsSimulator simulate({"--today", "2025-06-30", "--projects-per-year", "20",
                              "--publish-projects-file-on", "2025-06-01",
                              "--revise-projects-file-on", "2025-06-15",
                              "--withdraw-projects-file-on", "2025-06-20"});
  ASSERT_FALSE(simulate.url().empty());
  ProjectsDocument document = simulate.Document();
  ASSERT_NE(document.Find(kLateFile), nullptr);
  EXPECT_EQ(document.Find(kLateFile)->published_on, Date::FromYmd(2025, 6, 1));
  ASSERT_NE(document.Find(KnownProjectFiles().back().second), nullptr);
  EXPECT_EQ(document.Find(KnownProjectFiles().back().second)->published_on,
            Date::FromYmd(2025, 6, 15));
  EXPECT_EQ(document.Find(KnownProjectFiles().front().second), nullptr);
  EXPECT_EQ(document.files.size(), KnownProjectFiles().size());

  ProjectsSimulator before({"--today", "2025-05-31", "--publish-projects-file-on", "2025-06-01"});
  EXPECT_EQ(before.Document().Find(kLateFile), nullptr);
}

TEST(SimulateBinary, TheDocumentFaultFlagBreaksTheDocument) {
  ProjectsSimulator simulate({"--projects-document-fault", "not-json"});
  ASSERT_FALSE(simulate.url().empty());
  simulate.Document();
  EXPECT_EQ(simulate.last_status().code(), ErrorCode::kCorrupt)
      << simulate.last_status().ToString();
}

}  // namespace
}  // namespace silverwork::testing
