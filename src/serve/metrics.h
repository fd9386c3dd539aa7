// Metrics: request counts and latencies per route, rendered in the
// Prometheus text exposition format (version 0.0.4) for GET /metrics, the
// gauges of the serving snapshot, and how fresh its postings are.
//
// Routes are registered before the server starts; recording is lock-free
// (atomics), so it is safe from every worker thread. SnapshotGauges reads an
// immutable snapshot; thread-safe.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>

#include "serve/snapshot.h"

namespace silverwork::serve {

// A Prometheus label value: backslash, double quote and newline escaped.
std::string EscapeLabelValue(std::string_view value);

class Metrics {
 public:
  // Upper bounds of the latency histogram's buckets, in seconds.
  static constexpr std::array<double, 11> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                      0.05,   0.1,   0.25,   0.5,   1.0};

  // REQUIRES: called before the server starts. Returns the route's id.
  size_t AddRoute(std::string name);
  void Record(size_t route, int status, double seconds);

  void RecordReload(bool ok) { (ok ? reloads_ok_ : reloads_failed_).fetch_add(1); }

  // The exposition text; `extra` (already formatted gauges) is appended.
  std::string Render(std::string_view extra) const;

 private:
  struct Route {
    std::string name;
    std::array<std::atomic<uint64_t>, 6> by_class{};  // index: status / 100 (0: other)
    std::array<std::atomic<uint64_t>, kBuckets.size()> buckets{};
    std::atomic<uint64_t> count{0};
    std::atomic<uint64_t> micros{0};
  };
  std::deque<Route> routes_;  // deque: stable addresses, atomics are not movable
  std::atomic<uint64_t> reloads_ok_{0};
  std::atomic<uint64_t> reloads_failed_{0};
};

// The snapshot's load time and size, its cubes' cells, the response cache's
// hits and misses, and the process's resident memory, as Prometheus gauges
// (for Metrics::Render's `extra`).
std::string SnapshotGauges(const ServingSnapshot& snapshot, uint64_t cache_hits,
                           uint64_t cache_misses);

// The newest posting's createDy and the last successful run of each command
// as Prometheus gauges, each as a timestamp and as an age at `now` (seconds,
// never negative): silverwork_newest_posting_{timestamp,age}_seconds and
// silverwork_last_success_{timestamp,age}_seconds{command="..."}. A figure
// the warehouse does not have yet is left out (no sample), so an alert on
// absent() fires.
std::string FreshnessGauges(const PostingsFreshness& freshness,
                            std::chrono::system_clock::time_point now);

}  // namespace silverwork::serve
