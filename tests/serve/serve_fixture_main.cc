// Writes a synthetic warehouse for `silverwork serve`: raw postings and
// projects from a seeded generator, then the real SQL project built over
// them (tests/serve/serve_fixture.h), then the scheduler's state for the
// 파이프라인 tab: the project's pipelines.yml run for a few weeks up to the
// fixture's "now" (tests/serve/scheduler_fixture.h), try logs in
// <out's folder>/fixture-logs. Used by scripts/browser-tests.sh and the serve
// benchmarks (docs/benchmarks.md). Built with the tests (tests/CMakeLists.txt).
//
//   serve_fixture --out var/bench.db --postings 1000000 --projects 100000
//   serve_fixture --out var/grid.db --postings 2000 --projects 300
//       --pipelines bench/grid_pipelines.yml --grid-pipeline grid_bench --grid-runs 1000
//   serve_fixture --engine postgres --out postgresql://u@127.0.0.1:5432/db --password-file F
//       --work-dir var/pg-fixture --postings 1000000 --projects 100000   (into an empty schema)
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <exception>
#include <filesystem>

#include "common/log.h"
#include "serve/scheduler_fixture.h"
#include "serve/serve_fixture.h"

namespace {

using namespace silverwork;

struct SchedulerFlags {
  std::string pipelines;      // default: <project-dir>/pipelines.yml
  std::string grid_pipeline;  // set: the grid benchmark's state instead of the scenario
  int grid_runs = 1000;
  bool none = false;
};

// The fixture's "now": noon UTC of its data's day (21:00 KST), as the serve
// tests' fake clock; scripts/browser-tests.sh serves it with SILVERWORK_NOW
// set to the same instant.
std::chrono::system_clock::time_point FixtureNow(const serve_fixture::FixtureOptions& options) {
  return serve_fixture::FixtureToday(options) + std::chrono::hours(12);
}

Status FillScheduler(const WarehouseOptions& out, const std::filesystem::path& work_dir,
                     const std::string& project_dir, const serve_fixture::FixtureOptions& options,
                     const SchedulerFlags& flags) {
  const std::filesystem::path pipelines = flags.pipelines.empty()
                                              ? std::filesystem::path(project_dir) / "pipelines.yml"
                                              : std::filesystem::path(flags.pipelines);
  const std::filesystem::path logs = std::filesystem::absolute(work_dir) / "fixture-logs";
  SW_ASSIGN_OR_RETURN(auto warehouse, OpenWarehouse(out));
  if (!flags.grid_pipeline.empty()) {
    return serve_fixture::FillGridBenchState(*warehouse, pipelines, flags.grid_pipeline,
                                             flags.grid_runs, logs, FixtureNow(options));
  }
  return serve_fixture::FillSchedulerState(*warehouse, pipelines, logs, FixtureNow(options));
}

// The fixture tool itself; main() only keeps exceptions from escaping it.
int RunFixture(int argc, char** argv) {
  CLI::App app{"serve_fixture: a synthetic warehouse built by the real SQL project"};
  std::string out;
  std::string engine = "sqlite";
  std::string password_file;
  std::string work_dir;
  std::string project_dir = ".";
  serve_fixture::FixtureOptions options;
  SchedulerFlags scheduler;
  app.add_option("--out", out,
                 "SQLite: the warehouse file to create (must not exist); PostgreSQL: a connection "
                 "URL without a password, whose schema is empty")
      ->required();
  app.add_option("--engine", engine, "warehouse engine")->check(CLI::IsMember({"sqlite", "postgres"}));
  app.add_option("--password-file", password_file, "PostgreSQL: a file holding the password");
  app.add_option("--work-dir", work_dir,
                 "folder for fixture-artifacts and fixture-logs (default: --out's folder; "
                 "required with --engine postgres)");
  app.add_option("--project-dir", project_dir, "the SQL project (silverwork_project.yml)");
  app.add_option("--postings", options.postings, "postings to generate");
  app.add_option("--projects", options.projects, "projects to generate");
  app.add_option("--seed", options.seed, "generator seed");
  app.add_option("--pipelines", scheduler.pipelines,
                 "pipelines.yml whose runs to simulate (default: the project's)");
  app.add_option("--grid-pipeline", scheduler.grid_pipeline,
                 "simulate only this pipeline, every task succeeding (the grid benchmark)");
  app.add_option("--grid-runs", scheduler.grid_runs, "daily runs of --grid-pipeline")
      ->check(CLI::Range(1, 5000));
  app.add_flag("--no-scheduler", scheduler.none, "leave the scheduler's tables out");
  CLI11_PARSE(app, argc, argv);
  InitLogging({.level = LogLevel::kWarn});

  if (engine == "sqlite" && std::filesystem::exists(out)) {
    std::fprintf(stderr, "error: %s exists; remove it first\n", out.c_str());
    return 2;
  }
  if (work_dir.empty()) {
    if (engine != "sqlite") {
      std::fprintf(stderr, "error: --engine %s needs --work-dir (--out is no folder)\n",
                   engine.c_str());
      return 2;
    }
    work_dir = std::filesystem::absolute(out).parent_path().string();
  }
  const auto started = std::chrono::steady_clock::now();
  const WarehouseOptions warehouse{
      .engine = engine, .location = out, .password_file = password_file};
  Status status = serve_fixture::BuildFixtureWarehouse(
      warehouse, options, project_dir, std::filesystem::path(work_dir) / "fixture-artifacts");
  if (status.ok() && !scheduler.none) {
    status = FillScheduler(warehouse, work_dir, project_dir, options, scheduler);
  }
  if (!status.ok()) {
    std::fprintf(stderr, "%s\n", status.ToUserMessage().c_str());
    return 1;
  }
  std::printf("wrote %s: %lld postings, %lld projects%s in %.1f s\n", out.c_str(),
              static_cast<long long>(options.postings), static_cast<long long>(options.projects),
              scheduler.none ? "" : ", scheduler state",
              std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  return 0;
}

}  // namespace

// CLI11, the filesystem calls and the standard library can throw (a full
// disk, an unreadable folder, no memory): say so and fail instead of
// terminating with no message.
int main(int argc, char** argv) {
  try {
    return RunFixture(argc, argv);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "error: serve_fixture stopped: %s\n", error.what());
  } catch (...) {
    std::fprintf(stderr, "error: serve_fixture stopped on an unknown exception\n");
  }
  return 1;
}
