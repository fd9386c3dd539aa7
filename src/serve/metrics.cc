#include "serve/metrics.h"

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <fstream>

namespace silverwork::serve {
namespace {

int64_t ResidentBytes() {
  std::ifstream statm("/proc/self/statm");
  int64_t pages = 0, resident = 0;
  statm >> pages >> resident;
  return resident * ::sysconf(_SC_PAGESIZE);
}

std::string CubeCells(const ServingSnapshot& snapshot) {
  std::string cube_cells;
  const auto add_cube = [&](uint8_t dims, std::string_view per_category, size_t cells) {
    cube_cells +=
        fmt::format("silverwork_snapshot_cube_cells{{dims=\"year,province,shape{}{}{}{}\"}} {}\n",
                    dims & kByMonth ? ",month" : "", dims & kByJobClass ? ",job_class" : "",
                    dims & kByPreferences ? ",preferences" : "", per_category, cells);
  };
  for (const PostingCube& cube : snapshot.posting_cubes) add_cube(cube.dims, "", cube.cells.size());
  for (const CategoryCube& cube : snapshot.category_cubes) {
    add_cube(cube.dims, ",per_category", cube.cells.size());
  }
  return cube_cells;
}

}  // namespace

std::string EscapeLabelValue(std::string_view value) {
  std::string escaped;
  for (char c : value) {
    if (c == '\\' || c == '"') escaped += '\\';
    if (c == '\n') {
      escaped += "\\n";
      continue;
    }
    escaped += c;
  }
  return escaped;
}

size_t Metrics::AddRoute(std::string name) {
  routes_.emplace_back();
  routes_.back().name = std::move(name);
  return routes_.size() - 1;
}

void Metrics::Record(size_t route_id, int status, double seconds) {
  Route& route = routes_.at(route_id);
  const int status_class = status >= 100 && status < 600 ? status / 100 : 0;
  route.by_class[status_class].fetch_add(1, std::memory_order_relaxed);
  for (size_t bucket = 0; bucket < kBuckets.size(); ++bucket) {
    if (seconds <= kBuckets[bucket]) {
      route.buckets[bucket].fetch_add(1, std::memory_order_relaxed);
      break;
    }
  }
  route.count.fetch_add(1, std::memory_order_relaxed);
  route.micros.fetch_add(static_cast<uint64_t>(seconds * 1e6), std::memory_order_relaxed);
}

std::string Metrics::Render(std::string_view extra) const {
  std::string out;
  out +=
      "# HELP silverwork_http_requests_total HTTP requests served, by route and status class.\n"
      "# TYPE silverwork_http_requests_total counter\n";
  for (const Route& route : routes_) {
    for (size_t status_class = 1; status_class < route.by_class.size(); ++status_class) {
      const uint64_t count = route.by_class[status_class].load(std::memory_order_relaxed);
      if (count == 0) continue;
      out += fmt::format("silverwork_http_requests_total{{route=\"{}\",code=\"{}xx\"}} {}\n",
                         EscapeLabelValue(route.name), status_class, count);
    }
  }
  out +=
      "# HELP silverwork_http_request_duration_seconds Time to compute a response, by route.\n"
      "# TYPE silverwork_http_request_duration_seconds histogram\n";
  for (const Route& route : routes_) {
    const std::string label = EscapeLabelValue(route.name);
    uint64_t cumulative = 0;
    for (size_t bucket = 0; bucket < kBuckets.size(); ++bucket) {
      cumulative += route.buckets[bucket].load(std::memory_order_relaxed);
      out += fmt::format(
          "silverwork_http_request_duration_seconds_bucket{{route=\"{}\",le=\"{}\"}} {}\n", label,
          kBuckets[bucket], cumulative);
    }
    const uint64_t count = route.count.load(std::memory_order_relaxed);
    out += fmt::format(
        "silverwork_http_request_duration_seconds_bucket{{route=\"{}\",le=\"+Inf\"}} {}\n", label,
        count);
    out += fmt::format("silverwork_http_request_duration_seconds_sum{{route=\"{}\"}} {:.6f}\n",
                       label, route.micros.load(std::memory_order_relaxed) / 1e6);
    out += fmt::format("silverwork_http_request_duration_seconds_count{{route=\"{}\"}} {}\n", label,
                       count);
  }
  out += fmt::format(
      "# HELP silverwork_snapshot_reloads_total Warehouse snapshot reloads, by result.\n"
      "# TYPE silverwork_snapshot_reloads_total counter\n"
      "silverwork_snapshot_reloads_total{{result=\"ok\"}} {}\n"
      "silverwork_snapshot_reloads_total{{result=\"error\"}} {}\n",
      reloads_ok_.load(), reloads_failed_.load());
  out += extra;
  return out;
}

std::string SnapshotGauges(const ServingSnapshot& snapshot, uint64_t cache_hits,
                           uint64_t cache_misses) {
  const auto loaded_seconds =
      std::chrono::duration<double>(snapshot.loaded_at.time_since_epoch()).count();
  return fmt::format(
      "# HELP silverwork_snapshot_loaded_timestamp_seconds When the serving snapshot was "
      "loaded.\n"
      "# TYPE silverwork_snapshot_loaded_timestamp_seconds gauge\n"
      "silverwork_snapshot_loaded_timestamp_seconds {:.3f}\n"
      "# HELP silverwork_snapshot_load_seconds How long loading the snapshot took.\n"
      "# TYPE silverwork_snapshot_load_seconds gauge\n"
      "silverwork_snapshot_load_seconds {:.3f}\n"
      "# HELP silverwork_snapshot_postings Postings in the serving snapshot.\n"
      "# TYPE silverwork_snapshot_postings gauge\n"
      "silverwork_snapshot_postings {}\n"
      "# HELP silverwork_snapshot_cube_cells Cells in each postings cube, by the dimensions it "
      "keeps.\n"
      "# TYPE silverwork_snapshot_cube_cells gauge\n"
      "{}"
      "# HELP silverwork_response_cache_hits_total Chart responses served from the cache.\n"
      "# TYPE silverwork_response_cache_hits_total counter\n"
      "silverwork_response_cache_hits_total {}\n"
      "# HELP silverwork_response_cache_misses_total Chart responses computed.\n"
      "# TYPE silverwork_response_cache_misses_total counter\n"
      "silverwork_response_cache_misses_total {}\n"
      "# HELP silverwork_process_resident_memory_bytes Resident set size.\n"
      "# TYPE silverwork_process_resident_memory_bytes gauge\n"
      "silverwork_process_resident_memory_bytes {}\n",
      loaded_seconds, snapshot.load_seconds, snapshot.postings.size(), CubeCells(snapshot),
      cache_hits, cache_misses, ResidentBytes());
}

std::string FreshnessGauges(const PostingsFreshness& freshness,
                            std::chrono::system_clock::time_point now) {
  struct Sample {
    std::string labels;  // "" or {command="..."}
    std::chrono::system_clock::time_point instant;
  };
  std::vector<Sample> newest, runs;
  if (const auto& posting = freshness.newest_posting) newest.push_back({"", posting->created_at});
  for (const SuccessfulRun& run : freshness.last_successes) {
    runs.push_back({fmt::format("{{command=\"{}\"}}", EscapeLabelValue(run.command)), run.finished_at});
  }
  // One family: its HELP, TYPE and samples together, as the format asks.
  const auto family = [now](std::string_view name, std::string_view help,
                            const std::vector<Sample>& samples, bool as_age) {
    std::string text = fmt::format("# HELP {0} {1}\n# TYPE {0} gauge\n", name, help);
    for (const Sample& sample : samples) {
      double value =
          as_age ? std::max(0.0, std::chrono::duration<double>(now - sample.instant).count())
                 : std::chrono::duration<double>(sample.instant.time_since_epoch()).count();
      text += fmt::format("{}{} {:.0f}\n", name, sample.labels, value);
    }
    return text;
  };
  return family("silverwork_newest_posting_timestamp_seconds",
                "When the newest posting in the warehouse was registered (its createDy).", newest,
                false) +
         family("silverwork_newest_posting_age_seconds",
                "How long ago the newest posting in the warehouse was registered.", newest, true) +
         family("silverwork_last_success_timestamp_seconds",
                "When the last successful run of each command ended (_sw_runs).", runs, false) +
         family("silverwork_last_success_age_seconds",
                "How long ago the last successful run of each command ended.", runs, true);
}

}  // namespace silverwork::serve
