// End-to-end tests of the silverwork binary against a simulator on loopback.
#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "../ingest/ingest_harness.h"
#include "http/http_client.h"
#include "ingest/reloader.h"
#include "lake/lake.h"
#include "process.h"

namespace silverwork::testing {
namespace {

// A key no real portal would issue, with the characters that need encoding.
constexpr const char* kMarkerKey = "LEAKMARKER+k3y/ZZtop9Secret==";

class BinaryHarness {
 public:
  explicit BinaryHarness(SimulatorOptions world = SmallWorldOptions()) {
    world.service_key = kMarkerKey;
    harness_options_ = world;
    auto started = Simulator::Start(world);
    if (!started.ok()) throw std::runtime_error(started.status().ToString());
    simulator = std::move(started).value();
    config_path = dir.path() + "/silverwork.toml";
    std::ofstream config(config_path);
    config << "log_file = \"" << dir.path() << "/silverwork.log\"\n"
           << "[warehouse]\npath = \"" << dir.path() << "/warehouse.db\"\n"
           << "[lake]\npath = \"" << dir.path() << "/lake\"\nfsync = true\n"
           << "[postings]\nbase_url = \"" << simulator->base_url() << "\"\n"
           << "rows_per_page = 100\nconcurrency = 4\ncalls_per_second = 0\ncalls_per_day = 0\n"
           << "lookback_days = 2\nbatch_size = 20\nbackoff_base_ms = 5\nbackoff_max_ms = 50\n"
           << "timeout_ms = 3000\n"
           << "[projects]\nbase_url = \"" << simulator->base_url() << "\"\nper_page = 50\n"
           << "openapi_url = \"" << simulator->base_url() << kSimulatorProjectsDocumentPath
           << "\"\n"
           << "calls_per_second = 0\ncalls_per_day = 0\n";
  }

  std::unique_ptr<ChildProcess> Start(const std::vector<std::string>& args,
                                      const std::string& key = kMarkerKey) {
    std::vector<std::string> argv{SILVERWORK_BINARY, "--config", config_path};
    argv.insert(argv.end(), args.begin(), args.end());
    return std::make_unique<ChildProcess>(
        argv, std::map<std::string, std::string>{{"DATA_GO_KR_SERVICE_KEY", key}}, StdoutPath(),
        StderrPath());
  }
  int Run(const std::vector<std::string>& args, const std::string& key = kMarkerKey) {
    return Start(args, key)->Wait();
  }
  std::string StdoutPath() const { return dir.path() + "/stdout.txt"; }
  std::string StderrPath() const { return dir.path() + "/stderr.txt"; }

  std::unique_ptr<Warehouse> OpenWarehouse() const {
    auto opened =
        silverwork::OpenWarehouse({.engine = "sqlite", .location = dir.path() + "/warehouse.db"});
    if (!opened.ok()) throw std::runtime_error(opened.status().ToString());
    return std::move(opened).value();
  }

  TempDir dir;
  SimulatorOptions harness_options_;
  std::unique_ptr<Simulator> simulator;
  std::string config_path;
};

std::set<std::string> JobIds(Warehouse& warehouse, Date from, Date to) {
  std::set<std::string> ids;
  std::vector<Value> params{from.Compact(), to.Compact()};
  EXPECT_TRUE(warehouse
                  .Query("SELECT jobId FROM raw_postings WHERE frDd >= ? AND frDd <= ? AND "
                         "_detail_status = 'ok' AND _detail_list_hash = _list_hash",
                         params,
                         [&](const Row& row) {
                           ids.insert(std::get<std::string>(row[0]));
                           return Status::Ok();
                         })
                  .ok());
  return ids;
}

std::set<std::string> Truth(Simulator& simulator, Date from, Date to) {
  std::set<std::string> ids;
  auto http = CreateHttpClient();
  for (int64_t page = 1;; ++page) {
    auto response = http->Get(
        simulator.base_url() + "/B552474/SenuriService/getJobList?pageNo=" + std::to_string(page) +
            "&numOfRows=1000&serviceKey=" + PercentEncode(kMarkerKey),
        "truth", std::chrono::milliseconds(5000));
    auto parsed = ParseSenuriXml(response->body, response->status, "truth");
    EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
    std::string oldest = "99999999";
    for (const auto& item : parsed->items) {
      const std::string& start = *FindField(item, "frDd");
      if (start >= from.Compact() && start <= to.Compact()) ids.insert(*FindField(item, "jobId"));
      oldest = std::min(oldest, start);
    }
    if (parsed->items.empty() || oldest < from.Compact()) break;
  }
  return ids;
}

TEST(Binary, HelpListsEveryCommand) {
  BinaryHarness harness;
  EXPECT_EQ(harness.Run({"--help"}), 0);
  std::string help = ReadFile(harness.StdoutPath());
  for (const char* command : {"pipeline", "collect", "reload", "status", "simulate"})
    EXPECT_NE(help.find(command), std::string::npos) << command;
}

TEST(Binary, BadInputGetsAClearErrorAndUsageExitCode) {
  BinaryHarness harness;
  EXPECT_EQ(harness.Run({"collect", "postings", "--from", "2025-02-30"}), 1);
  EXPECT_NE(ReadFile(harness.StderrPath()).find("'2025-02-30' is not a valid day"),
            std::string::npos);
  EXPECT_EQ(harness.Run({"collect", "postings", "--bogus"}), 2);
}

TEST(Binary, KillNineMidLoadLosesNothingAndTheRerunCompletesExactly) {
  SimulatorOptions world = SmallWorldOptions();
  world.faults.latency = std::chrono::milliseconds(4);
  BinaryHarness harness(world);
  const Date from = kToday.AddDays(-20);
  std::set<std::string> truth = Truth(*harness.simulator, from, kToday);
  for (int delay_ms : {150, 600, 1200}) {
    auto child = harness.Start({"collect", "postings", "--from", from.Iso(), "--to", kToday.Iso()});
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    child->Kill(SIGKILL);
    child->Wait();
    auto warehouse = harness.OpenWarehouse();
    auto check = warehouse->QueryAll("PRAGMA integrity_check");
    auto exists = warehouse->TableExists("raw_postings");
    ASSERT_TRUE(exists.ok());
    if (!*exists) continue;  // killed before the first table was created
    ASSERT_TRUE(check.ok());
    EXPECT_EQ(ValueToString(check->rows.at(0).at(0)), "ok");
    // Whatever was committed is complete: a detail row always has its list row.
    auto half = warehouse->QueryAll(
        "SELECT COUNT(*) FROM raw_postings WHERE _detail_status IS NOT NULL AND _list_hash IS "
        "NULL");
    ASSERT_TRUE(half.ok());
    EXPECT_EQ(std::get<int64_t>(half->rows.at(0).at(0)), 0);
  }
  ASSERT_EQ(harness.Run({"collect", "postings", "--from", from.Iso(), "--to", kToday.Iso()}), 0)
      << ReadFile(harness.StderrPath());
  auto warehouse = harness.OpenWarehouse();
  EXPECT_EQ(JobIds(*warehouse, from, kToday), truth);
  // The lake stays readable after the kills and rebuilds the same table.
  auto rebuilt = silverwork::OpenWarehouse(
      {.engine = "sqlite", .location = harness.dir.path() + "/rebuilt.db"});
  ASSERT_TRUE(rebuilt.ok());
  auto reloaded =
      ReloadFromLake({.lake_root = harness.dir.path() + "/lake", .loaded_at = "x"}, **rebuilt);
  ASSERT_TRUE(reloaded.ok()) << reloaded.status().ToString();
  EXPECT_EQ(JobIds(**rebuilt, from, kToday), truth);
}

TEST(Binary, QuotaExitsWithResumeCodeAndTheNextRunResumes) {
  SimulatorOptions world = SmallWorldOptions();
  world.faults.daily_quota = 80;
  BinaryHarness harness(world);
  const Date from = kToday.AddDays(-5);
  std::set<std::string> truth = Truth(*harness.simulator, from, kToday);
  harness.simulator->SetFaults(world.faults);
  EXPECT_EQ(harness.Run({"collect", "postings", "--from", from.Iso(), "--to", kToday.Iso()}), 3);
  std::string stderr_text = ReadFile(harness.StderrPath());
  EXPECT_NE(stderr_text.find("code 22"), std::string::npos) << stderr_text;
  EXPECT_NE(stderr_text.find("run the same command again"), std::string::npos);
  int exit_code = 3;
  for (int run = 0; run < 10 && exit_code == 3; ++run) {
    harness.simulator->SetFaults(world.faults);  // a new day's quota
    exit_code = harness.Run({"collect", "postings", "--from", from.Iso(), "--to", kToday.Iso()});
  }
  ASSERT_EQ(exit_code, 0) << ReadFile(harness.StderrPath());
  EXPECT_NE(ReadFile(harness.StdoutPath()).find("(resumed)"), std::string::npos);
  auto warehouse = harness.OpenWarehouse();
  EXPECT_EQ(JobIds(*warehouse, from, kToday), truth);
}

TEST(Binary, TheServiceKeyNeverLeaks) {
  SimulatorOptions world = SmallWorldOptions();
  world.faults.error_rate = 0.05;  // exercise the retry/warning paths too
  world.faults.latency = std::chrono::milliseconds(2);
  BinaryHarness harness(world);
  auto child = harness.Start(
      {"--log-level", "debug", "collect", "postings", "--days", "3", "--to", kToday.Iso()});
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  std::string command_line = child->CommandLine();
  int exit_code = child->Wait();
  ASSERT_EQ(exit_code, 0) << ReadFile(harness.StderrPath());
  ASSERT_EQ(harness.Run({"collect", "projects"}), 0) << ReadFile(harness.StderrPath());
  // A wrong key's error message must not echo it either.
  EXPECT_EQ(harness.Run({"collect", "postings", "--days", "1"}, "LEAKMARKER-wrong+key=="), 1);

  const std::vector<std::string> forms = {"LEAKMARKER", PercentEncode(kMarkerKey),
                                          PercentEncode(PercentEncode(kMarkerKey))};
  auto assert_clean = [&](const std::string& what, const std::string& text) {
    for (const auto& form : forms)
      EXPECT_EQ(text.find(form), std::string::npos) << what << " contains the key as " << form;
  };
  assert_clean("command line", command_line);
  assert_clean("stdout", ReadFile(harness.StdoutPath()));
  assert_clean("stderr", ReadFile(harness.StderrPath()));
  std::string log = ReadFile(harness.dir.path() + "/silverwork.log");
  EXPECT_FALSE(log.empty());
  assert_clean("log file", log);
  assert_clean("warehouse file", ReadFile(harness.dir.path() + "/warehouse.db"));
  int files = 0;
  for (const auto& entry :
       std::filesystem::recursive_directory_iterator(harness.dir.path() + "/lake")) {
    if (entry.is_regular_file()) {
      assert_clean(entry.path().string(), ReadFile(entry.path().string()));
      ++files;
    }
  }
  EXPECT_GT(files, 0);
  int64_t records = 0;
  ASSERT_TRUE(LakeReader(harness.dir.path() + "/lake")
                  .ForEach({},
                           [&](const LakeRecord& record) {
                             ++records;
                             assert_clean("lake request", record.request);
                             assert_clean("lake body", record.body);
                             return Status::Ok();
                           })
                  .ok());
  EXPECT_GT(records, 10);
}

TEST(Binary, PipelineRunsEndToEndOnTheBuiltInSimulator) {
  BinaryHarness harness;
  // No key, no base URL: the pipeline starts its own simulator.
  std::ofstream(harness.config_path, std::ios::trunc)
      << "project_dir = \"" << SILVERWORK_SOURCE_DIR << "\"\n"
      << "artifacts_dir = \"" << harness.dir.path() << "/artifacts\"\n"
      << "[warehouse]\npath = \"" << harness.dir.path() << "/pipeline.db\"\n"
      << "[lake]\npath = \"" << harness.dir.path() << "/pipeline-lake\"\n";
  std::vector<std::string> argv{SILVERWORK_BINARY, "--config", harness.config_path,
                                "pipeline",        "--days",   "2"};
  ChildProcess child(argv, {{"DATA_GO_KR_SERVICE_KEY", ""}}, harness.StdoutPath(),
                     harness.StderrPath());
  ASSERT_EQ(child.Wait(), 0) << ReadFile(harness.StderrPath());
  std::string out = ReadFile(harness.StdoutPath());
  EXPECT_NE(out.find("raw_postings:"), std::string::npos) << out;
  EXPECT_NE(out.find("raw_projects: 2018:"), std::string::npos) << out;
  EXPECT_NE(out.find("build finished"), std::string::npos) << out;
  EXPECT_NE(out.find("top preferences:"), std::string::npos) << out;

  // The main job then serves what it built: `serve` says where it listens,
  // answers from the warehouse the pipeline wrote, and stops on SIGTERM.
  auto warehouse =
      OpenWarehouse({.engine = "sqlite", .location = harness.dir.path() + "/pipeline.db"});
  ASSERT_TRUE(warehouse.ok()) << warehouse.status().ToString();
  int64_t postings = -1;
  ASSERT_TRUE((*warehouse)
                  ->Query("SELECT count(*) FROM fct_job_postings", {},
                          [&](const Row& row) {
                            postings = std::get<int64_t>(row[0]);
                            return Status::Ok();
                          })
                  .ok());
  ASSERT_GT(postings, 0);
  const std::string serve_out = harness.dir.path() + "/serve.txt";
  ChildProcess server({SILVERWORK_BINARY, "--config", harness.config_path, "serve", "--port", "0",
                       "--reload-interval", "0"},
                      {{"DATA_GO_KR_SERVICE_KEY", ""}}, serve_out, harness.StderrPath());
  std::string url;
  for (int attempt = 0; attempt < 600 && url.empty(); ++attempt) {
    std::string text = ReadFile(serve_out);
    if (auto at = text.find("serving on http://"); at != std::string::npos) {
      url = text.substr(at + 11, text.find('\n', at) - at - 11);
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  ASSERT_FALSE(url.empty()) << ReadFile(harness.StderrPath());
  ASSERT_TRUE(url.starts_with("http://127.0.0.1:")) << url;
  auto http = CreateHttpClient();
  auto health = http->Get(url + "healthz", "healthz", std::chrono::milliseconds(5000));
  ASSERT_TRUE(health.ok()) << health.status().ToString();
  EXPECT_EQ(health->status, 200);
  EXPECT_NE(health->body.find("\"postings\":" + std::to_string(postings)), std::string::npos)
      << health->body;
  auto kpis = http->Get(url + "api/v1/kpis", "kpis", std::chrono::milliseconds(5000));
  ASSERT_TRUE(kpis.ok()) << kpis.status().ToString();
  EXPECT_EQ(kpis->status, 200) << kpis->body;
  server.Kill(SIGTERM);
  EXPECT_EQ(server.Wait(), 0) << ReadFile(harness.StderrPath());
}

}  // namespace
}  // namespace silverwork::testing

namespace silverwork::testing {
namespace {

TEST(Binary, LsAndDocsOverTheRepositoryProject) {
  TempDir dir;
  std::string config = dir.path() + "/silverwork.toml";
  std::ofstream(config) << "project_dir = \"" << SILVERWORK_SOURCE_DIR << "\"\n"
                        << "artifacts_dir = \"" << dir.path() << "/artifacts\"\n";
  std::string out = dir.path() + "/out.txt", err = dir.path() + "/err.txt";
  ChildProcess ls({SILVERWORK_BINARY, "--config", config, "ls", "-s", "+mart_per_capita"}, {}, out,
                  err);
  ASSERT_EQ(ls.Wait(), 0) << ReadFile(err);
  std::string listed = ReadFile(out);
  for (const char* node :
       {"source.silverwork.raw.raw_postings", "seed.silverwork.population_by_province",
        "model.silverwork.stg_postings", "model.silverwork.mart_jobs_vs_postings",
        "model.silverwork.mart_per_capita"})
    EXPECT_NE(listed.find(node), std::string::npos) << node << "\n" << listed;
  EXPECT_EQ(listed.find("model.silverwork.mart_continuity"), std::string::npos);
  EXPECT_LT(listed.find("model.silverwork.stg_postings"),
            listed.find("model.silverwork.mart_per_capita"));

  ChildProcess docs({SILVERWORK_BINARY, "--config", config, "docs"}, {}, out, err);
  ASSERT_EQ(docs.Wait(), 0) << ReadFile(err);
  std::string dot = ReadFile(dir.path() + "/artifacts/lineage.dot");
  EXPECT_NE(dot.find("digraph"), std::string::npos);
  EXPECT_NE(dot.find("mart_per_capita"), std::string::npos);

  ChildProcess missing({SILVERWORK_BINARY, "--config", config, "ls", "-s", "mart_per_capitaa"}, {},
                       out, err);
  EXPECT_NE(missing.Wait(), 0);
  EXPECT_NE(ReadFile(err).find("mart_per_capita"), std::string::npos) << ReadFile(err);
}

}  // namespace
}  // namespace silverwork::testing
