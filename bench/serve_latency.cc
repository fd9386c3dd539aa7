// Latency of every chart endpoint of a running `silverwork serve` under
// random filter combinations (and the heaviest ones on purpose), one request
// at a time: p50/p95/p99/max per endpoint, as the server computes them
// (server-side timing from the Prometheus histogram would hide nothing
// here: the client is on the same loopback). Optionally writes the URLs it
// used, one per line, for bench/serve_wrk.lua.
//
//   serve_latency --url http://127.0.0.1:8080 --requests 300 [--paths-out urls.txt]
#include <httplib.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

namespace {

using nlohmann::json;

struct Target {
  std::string host;
  int port = 0;
};

Target ParseUrl(const std::string& url) {
  const auto scheme = url.find("://");
  std::string rest = scheme == std::string::npos ? url : url.substr(scheme + 3);
  if (!rest.empty() && rest.back() == '/') rest.pop_back();
  const auto colon = rest.rfind(':');
  return {rest.substr(0, colon), std::stoi(rest.substr(colon + 1))};
}

// Random values of each filter, drawn from /api/v1/filters.
class FilterDraws {
 public:
  FilterDraws(const json& options, uint64_t seed) : options_(options), random_(seed) {}

  std::string Query() {
    std::vector<std::string> parts;
    if (Chance(0.4)) {
      const int low = options_["years"]["min"], high = options_["years"]["max"];
      const int from = Between(low, high);
      parts.push_back("year_from=" + std::to_string(from));
      if (Chance(0.5)) parts.push_back("year_to=" + std::to_string(Between(from, high)));
    }
    for (const char* key : {"province", "shape", "job_class", "preference", "project_type"}) {
      if (!Chance(0.35)) continue;
      const auto& values = options_[key];
      std::string codes;
      for (int count = Between(1, 3); count > 0; --count) {
        if (!codes.empty()) codes += ',';
        codes += httplib::detail::encode_query_param(values[Between(0, int(values.size()) - 1)]["code"]);
      }
      parts.push_back(std::string(key) + "=" + codes);
    }
    std::string query;
    for (const auto& part : parts) query += (query.empty() ? "?" : "&") + part;
    return query;
  }

 private:
  bool Chance(double p) { return std::bernoulli_distribution(p)(random_); }
  int Between(int low, int high) { return std::uniform_int_distribution<int>(low, high)(random_); }
  const json& options_;
  std::mt19937_64 random_;
};

double Percentile(std::vector<double> samples, double p) {
  std::sort(samples.begin(), samples.end());
  const size_t index = std::min(samples.size() - 1, static_cast<size_t>(p * double(samples.size())));
  return samples[index];
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"serve_latency: per-endpoint latency of silverwork serve under random filters"};
  std::string url = "http://127.0.0.1:8080";
  int requests = 300;
  std::string paths_out;
  uint64_t seed = 42;
  app.add_option("--url", url, "the running server");
  app.add_option("--requests", requests, "requests per endpoint");
  app.add_option("--paths-out", paths_out, "write every URL used here (for wrk)");
  app.add_option("--seed", seed);
  CLI11_PARSE(app, argc, argv);

  const Target target = ParseUrl(url);
  httplib::Client client(target.host, target.port);
  client.set_keep_alive(true);
  auto index = client.Get("/api/v1");
  auto filters = client.Get("/api/v1/filters");
  if (!index || !filters || index->status != 200 || filters->status != 200) {
    std::fprintf(stderr, "error: no silverwork server answers at %s\n", url.c_str());
    return 1;
  }
  const json options = json::parse(filters->body);
  std::vector<std::string> endpoints;
  const json listing = json::parse(index->body);
  for (const auto& endpoint : listing["endpoints"]) {
    const std::string path = endpoint["path"];
    // The dashboard's filtered endpoints only: the pipelines API takes no
    // filters (bench/grid_latency.cc measures its grid), nor does the data
    // catalog (a search, which answers 400 to the filters).
    if (endpoint.contains("method") || path.starts_with("/api/v1/catalog")) continue;
    if (path != "/api/v1/postings.csv" && path != "/api/v1/filters") endpoints.push_back(path);
  }
  // The heaviest combination: every filter at once, preferences and job classes included.
  const std::string everything =
      "?year_from=2022&year_to=2024&province=KR-11,KR-41,KR-26&shape=CM0102,CM0103&job_class=" +
      options["job_class"][1]["code"].get<std::string>() + ",unclassified&preference=1,3,9&project_type=" +
      httplib::detail::encode_query_param(options["project_type"][0]["code"].get<std::string>());

  FilterDraws draws(options, seed);
  std::ofstream paths;
  if (!paths_out.empty()) paths.open(paths_out);
  std::printf("%-34s %8s %8s %8s %8s  (ms, %d requests each)\n", "endpoint", "p50", "p95", "p99", "max", requests);
  double worst_p95 = 0;
  for (const std::string& endpoint : endpoints) {
    std::vector<double> samples;
    for (int request = 0; request < requests; ++request) {
      std::string query = request == 0 ? everything : draws.Query();
      if (endpoint.ends_with("/postings") && request % 3 == 0) query += (query.empty() ? "?" : "&") + std::string("page=3");
      const std::string path = endpoint + query;
      const auto started = std::chrono::steady_clock::now();
      auto response = client.Get(path.c_str());
      const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
      if (!response || response->status != 200) {
        std::fprintf(stderr, "error: %s answered %d\n", path.c_str(), response ? response->status : -1);
        return 1;
      }
      samples.push_back(ms);
      if (paths.is_open() && endpoint.find("/status/") == std::string::npos && !endpoint.ends_with("/postings")) {
        paths << path << '\n';
      }
    }
    const double p95 = Percentile(samples, 0.95);
    if (!endpoint.ends_with("/postings")) worst_p95 = std::max(worst_p95, p95);
    std::printf("%-34s %8.2f %8.2f %8.2f %8.2f\n", endpoint.c_str(), Percentile(samples, 0.5), p95,
                Percentile(samples, 0.99), *std::max_element(samples.begin(), samples.end()));
  }
  std::printf("worst chart-endpoint p95: %.2f ms\n", worst_p95);
  return 0;
}
