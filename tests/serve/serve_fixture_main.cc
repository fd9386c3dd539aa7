// Writes a synthetic warehouse for `silverwork serve`: raw postings and
// projects from a seeded generator, then the real SQL project built over
// them (tests/serve/serve_fixture.h). Used by scripts/browser-tests.sh and
// the serve benchmarks (docs/benchmarks.md). Built with the tests (tests/CMakeLists.txt).
//
//   serve_fixture --out var/bench.db --postings 1000000 --projects 100000
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>

#include "common/log.h"
#include "serve/serve_fixture.h"

int main(int argc, char** argv) {
  using namespace silverwork;
  CLI::App app{"serve_fixture: a synthetic warehouse built by the real SQL project"};
  std::string out;
  std::string project_dir = ".";
  serve_fixture::FixtureOptions options;
  app.add_option("--out", out, "warehouse file to create (must not exist)")->required();
  app.add_option("--project-dir", project_dir, "the SQL project (silverwork_project.yml)");
  app.add_option("--postings", options.postings, "postings to generate");
  app.add_option("--projects", options.projects, "projects to generate");
  app.add_option("--seed", options.seed, "generator seed");
  CLI11_PARSE(app, argc, argv);
  InitLogging({.level = LogLevel::kWarn});

  if (std::filesystem::exists(out)) {
    std::fprintf(stderr, "error: %s exists; remove it first\n", out.c_str());
    return 2;
  }
  const auto started = std::chrono::steady_clock::now();
  const std::filesystem::path artifacts =
      std::filesystem::path(out).parent_path() / "fixture-artifacts";
  Status status = serve_fixture::BuildFixtureWarehouse(out, options, project_dir, artifacts);
  if (!status.ok()) {
    std::fprintf(stderr, "%s\n", status.ToUserMessage().c_str());
    return 1;
  }
  std::printf("wrote %s: %lld postings, %lld projects in %.1f s\n", out.c_str(),
              static_cast<long long>(options.postings), static_cast<long long>(options.projects),
              std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  return 0;
}
