// ResponseCache: chart responses by request target, for one snapshot.
//
// A chart response is a pure function of the snapshot and the request's
// query, and dashboards ask the same questions again and again (every
// visitor's first view, a shared link), so answers are kept until the
// snapshot changes. Bounded by entry count and entry size; when full, the
// oldest entry goes. Thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace silverwork::serve {

class ResponseCache {
 public:
  // `capacity` 0 disables the cache.
  explicit ResponseCache(size_t capacity, size_t max_entry_bytes = 256 << 10)
      : capacity_(capacity), max_entry_bytes_(max_entry_bytes) {}
  ResponseCache(const ResponseCache&) = delete;
  ResponseCache& operator=(const ResponseCache&) = delete;

  // The body cached for `key` under snapshot `generation`, or null.
  std::shared_ptr<const std::string> Find(uint64_t generation, const std::string& key);
  void Insert(uint64_t generation, const std::string& key, std::shared_ptr<const std::string> body);

  uint64_t hits() const { return hits_; }
  uint64_t misses() const { return misses_; }

 private:
  void ResetLocked(uint64_t generation);

  const size_t capacity_;
  const size_t max_entry_bytes_;
  std::mutex mutex_;
  uint64_t generation_ = 0;
  std::unordered_map<std::string, std::shared_ptr<const std::string>> entries_;
  std::deque<std::string> order_;  // insertion order, for eviction
  std::atomic<uint64_t> hits_{0};
  std::atomic<uint64_t> misses_{0};
};

}  // namespace silverwork::serve
