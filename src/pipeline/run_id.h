// RunIdGenerator: names runs so that their names sort in start order.
//
// A run id looks like "20261125T160102.345Z-1a2b": the UTC start time to the
// millisecond, then 16 random bits so that two processes starting in the
// same millisecond still differ. Replaying the lake relies on ids sorting in
// the order runs started, so every id is strictly above the last one this
// generator issued and above a floor the caller gives (the newest run already
// in the lake or the run ledger). When the clock stands still or steps back,
// the time part moves on just past the floor instead of waiting for the
// clock: ids never repeat and nothing sleeps.
//
// Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/status.h"

namespace silverwork {

class RunIdGenerator {
 public:
  // `suffix_seed` seeds the random suffix (tests fix it; the default draws
  // one from the operating system). REQUIRES: `clock` outlives this object.
  explicit RunIdGenerator(Clock& clock, uint32_t suffix_seed = std::random_device{}());
  RunIdGenerator(const RunIdGenerator&) = delete;
  RunIdGenerator& operator=(const RunIdGenerator&) = delete;

  // A new id above `floor` (empty: none) and above every id issued before.
  // kCorrupt when the floor sorts above the clock's time but is not a run
  // id, so that no id above it can be made.
  Result<std::string> Next(std::string_view floor = {});

 private:
  std::mutex mutex_;
  Clock& clock_;
  std::mt19937 random_;
  std::string last_issued_;
};

// The start time a run id names: its first 15 characters (YYYYMMDDTHHMMSS)
// and, when present, the milliseconds after them. nullopt if `run_id` does
// not start that way.
std::optional<std::chrono::system_clock::time_point> RunIdStartTime(std::string_view run_id);

}  // namespace silverwork
