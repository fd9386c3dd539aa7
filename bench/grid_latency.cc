// Latency of the 파이프라인 tab's grid endpoint of a running `silverwork serve`
// (GET /api/v1/pipelines/{pipeline}/grid?limit=N): N runs by every task, one
// request at a time over a kept-alive loopback connection, after a warm-up.
// Checks every answer's shape (N runs, the expected tasks, a cell for each),
// then prints p50/p95/p99/max and a RESULT line against the target.
//
//   grid_latency --url http://127.0.0.1:8080 --pipeline grid_bench --runs 1000 --tasks 5
#include <httplib.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace {

using nlohmann::json;

double Percentile(std::vector<double> samples, double p) {
  std::sort(samples.begin(), samples.end());
  const size_t index =
      std::min(samples.size() - 1, static_cast<size_t>(p * double(samples.size())));
  return samples[index];
}

// "" when `body` is a grid of `runs` runs by `tasks` tasks, else what is wrong.
std::string CheckGrid(const std::string& body, size_t runs, size_t tasks) {
  const json grid = json::parse(body, nullptr, false);
  if (grid.is_discarded()) return "not JSON";
  const json& data = grid["data"];
  if (data["runs"].size() != runs) return "runs: " + std::to_string(data["runs"].size());
  if (data["tasks"].size() != tasks) return "tasks: " + std::to_string(data["tasks"].size());
  for (const json& row : data["tasks"]) {
    if (row["cells"].size() != runs) return "cells of " + row["task"].get<std::string>();
    for (const json& cell : row["cells"])
      if (cell.is_null()) return "an empty cell in " + row["task"].get<std::string>();
  }
  return "";
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"grid_latency: the pipelines grid endpoint's latency"};
  std::string url = "http://127.0.0.1:8080";
  std::string pipeline = "grid_bench";
  size_t runs = 1000, tasks = 5;
  int requests = 200, warmup = 20;
  double target_ms = 30;
  app.add_option("--url", url, "the running server");
  app.add_option("--pipeline", pipeline);
  app.add_option("--runs", runs, "runs per request (the grid's limit)");
  app.add_option("--tasks", tasks, "tasks the pipeline has");
  app.add_option("--requests", requests, "measured requests");
  app.add_option("--warmup", warmup, "requests before measuring");
  app.add_option("--target-ms", target_ms, "the p95 to stay under");
  CLI11_PARSE(app, argc, argv);

  const auto scheme = url.find("://");
  std::string rest = scheme == std::string::npos ? url : url.substr(scheme + 3);
  if (!rest.empty() && rest.back() == '/') rest.pop_back();
  const auto colon = rest.rfind(':');
  httplib::Client client(rest.substr(0, colon), std::stoi(rest.substr(colon + 1)));
  client.set_keep_alive(true);
  const std::string path = "/api/v1/pipelines/" + pipeline + "/grid?limit=" + std::to_string(runs);

  std::vector<double> samples;
  size_t bytes = 0;
  for (int request = 0; request < warmup + requests; ++request) {
    const auto started = std::chrono::steady_clock::now();
    auto response = client.Get(path.c_str());
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
            .count();
    if (!response || response->status != 200) {
      std::fprintf(stderr, "error: %s answered %d\n", path.c_str(),
                   response ? response->status : -1);
      return 1;
    }
    if (request == 0 || request == warmup) {
      if (const std::string problem = CheckGrid(response->body, runs, tasks); !problem.empty()) {
        std::fprintf(stderr, "error: %s is not a %zu x %zu grid: %s\n", path.c_str(), runs, tasks,
                     problem.c_str());
        return 1;
      }
    }
    bytes = response->body.size();
    if (request >= warmup) samples.push_back(ms);
  }
  const double p95 = Percentile(samples, 0.95);
  std::printf("%s: %zu runs x %zu tasks, %zu bytes a response, %d requests\n", path.c_str(), runs,
              tasks, bytes, requests);
  std::printf("p50 %.2f ms, p95 %.2f ms, p99 %.2f ms, max %.2f ms\n", Percentile(samples, 0.5), p95,
              Percentile(samples, 0.99), *std::max_element(samples.begin(), samples.end()));
  std::printf("RESULT grid p95 %.2f ms (target < %.0f ms): %s\n", p95, target_ms,
              p95 < target_ms ? "met" : "missed");
  return 0;
}
