// End-to-end tests of the silverwork binary against a simulator on loopback.
#include <gtest/gtest.h>

#include <filesystem>

#include "binary_harness.h"
#include "http/http_client.h"

namespace silverwork::testing {
namespace {

TEST(Binary, HelpListsEveryCommand) {
  BinaryHarness harness;
  EXPECT_EQ(harness.Run({"--help"}), 0);
  std::string help = harness.Stdout();
  for (const char* command : {"pipeline", "collect", "reload", "status", "db", "simulate"})
    EXPECT_NE(help.find(command), std::string::npos) << command;
}

TEST(Binary, EveryCommandAnswersHelp) {
  BinaryHarness harness;
  const std::vector<std::vector<std::string>> commands = {
      {"pipeline"}, {"collect"}, {"collect", "postings"}, {"collect", "projects"}, {"reload"},
      {"status"},   {"simulate"}, {"build"}, {"run"}, {"test"}, {"seed"}, {"snapshot"}, {"ls"},
      {"compile"},  {"docs"},     {"serve"}, {"db"}, {"db", "grant-reader"}};
  for (std::vector<std::string> command : commands) {
    std::string usage = "Usage: " + std::string(SILVERWORK_BINARY);
    for (const std::string& word : command) usage += " " + word;
    command.emplace_back("--help");
    EXPECT_EQ(harness.Run(command), 0) << usage;
    EXPECT_NE(harness.Stdout().find(usage), std::string::npos) << harness.Stdout();
    EXPECT_NE(harness.Stdout().find("--help"), std::string::npos) << usage;
  }
}

// The shipped binary allocates through jemalloc (SILVERWORK_JEMALLOC, on by
// default), and a build with the option off or with sanitizers through
// another allocator: asked to print its statistics at exit, jemalloc does so
// only if it served the process's mallocs. Debian GCC links with --as-needed,
// which would drop a library nothing calls by name.
TEST(Binary, AllocatesThroughTheAllocatorTheBuildChose) {
  TempDir dir;
  ChildProcess help({SILVERWORK_BINARY, "--help"}, {{"MALLOC_CONF", "stats_print:true"}},
                    dir.path() + "/stdout.txt", dir.path() + "/stderr.txt");
  ASSERT_EQ(help.Wait(), 0) << ReadFile(dir.path() + "/stderr.txt");
  const bool printed_jemalloc_statistics =
      ReadFile(dir.path() + "/stderr.txt").find("Begin jemalloc statistics") != std::string::npos;
  EXPECT_EQ(printed_jemalloc_statistics, SILVERWORK_JEMALLOC_LINKED == 1)
      << "the build " << (SILVERWORK_JEMALLOC_LINKED == 1 ? "links" : "does not link")
      << " jemalloc (SILVERWORK_JEMALLOC); `ldd " << SILVERWORK_BINARY << "` shows what it loads";
}

TEST(Binary, FindsItsConfigThroughSilverworkConfigOrTheWorkingDirectory) {
  BinaryHarness harness;  // its config is silverwork.toml in its directory
  ASSERT_EQ(harness.Run({"collect", "projects"}), 0) << harness.Stderr();
  TempDir elsewhere;
  auto status_in = [&](const std::string& directory, const std::string& config_variable) {
    const std::string out = elsewhere.path() + "/status.txt";
    std::filesystem::remove(out);
    ChildProcess status({SILVERWORK_BINARY, "status"},
                        {{"SILVERWORK_CONFIG", config_variable}, {"DATA_GO_KR_SERVICE_KEY", ""}},
                        out, elsewhere.path() + "/stderr.txt", directory);
    EXPECT_EQ(status.Wait(), 0) << ReadFile(elsewhere.path() + "/stderr.txt");
    return ReadFile(out);
  };
  const std::string collected = "raw_projects: 2018: ";
  EXPECT_NE(status_in(elsewhere.path(), harness.config_path).find(collected), std::string::npos)
      << "SILVERWORK_CONFIG names the config";
  EXPECT_NE(status_in(harness.dir.path(), "").find(collected), std::string::npos)
      << "./silverwork.toml is read when nothing names a config";
  // With neither, the defaults apply: an empty warehouse under ./var.
  EXPECT_NE(status_in(elsewhere.path(), "").find("raw_projects: none"), std::string::npos);
  EXPECT_TRUE(std::filesystem::exists(elsewhere.path() + "/var/silverwork.db"));
}

TEST(Binary, BadInputGetsAClearErrorAndUsageExitCode) {
  BinaryHarness harness;
  EXPECT_EQ(harness.Run({"collect", "postings", "--from", "2025-02-30"}), 1);
  EXPECT_NE(harness.Stderr().find("'2025-02-30' is not a valid day"),
            std::string::npos);
  EXPECT_EQ(harness.Run({"collect", "postings", "--bogus"}), 2);
}

TEST(Binary, QuotaExitsWithResumeCodeAndTheNextRunResumes) {
  SimulatorOptions world = SmallWorldOptions();
  world.faults.daily_quota = 80;
  BinaryHarness harness(world);
  const Date from = kToday.AddDays(-5);
  const std::set<std::string> truth = GeneratedJobIds(world.data, from, kToday);
  ASSERT_GT(truth.size(), 100u);
  EXPECT_EQ(harness.Run({"collect", "postings", "--from", from.Iso(), "--to", kToday.Iso()}), 3);
  std::string stderr_text = harness.Stderr();
  EXPECT_NE(stderr_text.find("code 22"), std::string::npos) << stderr_text;
  EXPECT_NE(stderr_text.find("run the same command again"), std::string::npos);
  int exit_code = 3;
  for (int run = 0; run < 10 && exit_code == 3; ++run) {
    harness.simulator->SetFaults(world.faults);  // a new day's quota
    exit_code = harness.Run({"collect", "postings", "--from", from.Iso(), "--to", kToday.Iso()});
  }
  ASSERT_EQ(exit_code, 0) << harness.Stderr();
  EXPECT_NE(harness.Stdout().find("(resumed)"), std::string::npos);
  auto warehouse = harness.OpenWarehouse();
  EXPECT_EQ(CompletedJobIds(*warehouse, from, kToday), truth);
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
  ASSERT_TRUE(server.WaitWhileRunning([&] {
    const std::string text = ReadFile(serve_out);
    const size_t at = text.find("serving on http://");
    if (at == std::string::npos || text.find('\n', at) == std::string::npos) return false;
    url = text.substr(at + 11, text.find('\n', at) - at - 11);
    return true;
  })) << "serve ended before saying where it listens: " << ReadFile(harness.StderrPath());
  ASSERT_TRUE(url.starts_with("http://127.0.0.1:")) << url;
  auto http = CreateHttpClient();
  // Patient: the answer's arrival is the event, not a time limit.
  constexpr std::chrono::milliseconds kPatient(60'000);
  auto health = http->Get(url + "healthz", "healthz", kPatient);
  ASSERT_TRUE(health.ok()) << health.status().ToString();
  EXPECT_EQ(health->status, 200);
  EXPECT_NE(health->body.find("\"postings\":" + std::to_string(postings)), std::string::npos)
      << health->body;
  auto kpis = http->Get(url + "api/v1/kpis", "kpis", kPatient);
  ASSERT_TRUE(kpis.ok()) << kpis.status().ToString();
  EXPECT_EQ(kpis->status, 200) << kpis->body;
  server.Kill(SIGTERM);
  EXPECT_EQ(server.Wait(), 0) << ReadFile(harness.StderrPath());
}

}  // namespace
}  // namespace silverwork::testing

namespace silverwork::testing {
namespace {

TEST(Binary, LsCompileAndDocsOverTheRepositoryProject) {
  TempDir dir;
  std::string config = dir.path() + "/silverwork.toml";
  std::ofstream(config) << "project_dir = \"" << SILVERWORK_SOURCE_DIR << "\"\n"
                        << "artifacts_dir = \"" << dir.path() << "/artifacts\"\n"
                        << "[warehouse]\npath = \"" << dir.path() << "/warehouse.db\"\n";
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

  ChildProcess compile({SILVERWORK_BINARY, "--config", config, "compile", "-s", "+mart_per_capita"},
                       {}, out, err);
  ASSERT_EQ(compile.Wait(), 0) << ReadFile(err);
  EXPECT_NE(ReadFile(out).find("compiled "), std::string::npos) << ReadFile(out);
  EXPECT_NE(ReadFile(dir.path() + "/artifacts/compiled/models/marts/mart_per_capita.sql")
                .find("select"),
            std::string::npos);

  ChildProcess docs({SILVERWORK_BINARY, "--config", config, "docs"}, {}, out, err);
  ASSERT_EQ(docs.Wait(), 0) << ReadFile(err);
  std::string dot = ReadFile(dir.path() + "/artifacts/lineage.dot");
  EXPECT_NE(dot.find("digraph"), std::string::npos);
  EXPECT_NE(dot.find("mart_per_capita"), std::string::npos);
  // Nothing is built, so the catalog has no relation yet; its shape is there.
  EXPECT_NE(ReadFile(dir.path() + "/artifacts/catalog.json").find("\"dbt_schema_version\""),
            std::string::npos);

  ChildProcess missing({SILVERWORK_BINARY, "--config", config, "ls", "-s", "mart_per_capitaa"}, {},
                       out, err);
  EXPECT_NE(missing.Wait(), 0);
  EXPECT_NE(ReadFile(err).find("mart_per_capita"), std::string::npos) << ReadFile(err);
}

}  // namespace
}  // namespace silverwork::testing
