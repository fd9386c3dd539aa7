// RateBudget: one budget of API calls shared by every worker of a run.
//
// Two limits, as data.go.kr enforces them: calls per second across all
// operations (a token bucket, so bursts stay within one second's worth), and
// calls per day per operation (the portal's quota, counted per Korean
// calendar day). Acquire() blocks for the first and fails with
// kQuotaExhausted for the second, so a run stops before the server has to
// tell it. Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "common/clock.h"
#include "common/date.h"
#include "common/status.h"

namespace silverwork {

struct RateBudgetOptions {
  double calls_per_second = 0;  // 0: unlimited
  int64_t calls_per_day = 0;    // per operation; 0: unlimited
};

class RateBudget {
 public:
  RateBudget(RateBudgetOptions options, Clock& clock);
  RateBudget(const RateBudget&) = delete;
  RateBudget& operator=(const RateBudget&) = delete;

  // Seeds today's count for `operation` (calls made by earlier runs today).
  void SetUsedToday(const std::string& operation, int64_t used);
  int64_t UsedToday(const std::string& operation);
  Date Today();

  // Waits for a per-second slot and counts one call for `operation`.
  // kQuotaExhausted (without counting) when today's quota is spent.
  Status Acquire(const std::string& operation);

  // Marks `operation` spent for today: the server said so (code 22).
  void MarkExhausted(const std::string& operation);

  // The server said we are too fast (code 23): lower the per-second rate to
  // 70% of what was used over the last second (or of the configured rate),
  // at least one call per second. Several workers hear "too fast" for the
  // same burst, so the rate drops at most once a second. Returns the rate.
  double SlowDown();
  double calls_per_second() const;

 private:
  void RollDayLocked();

  RateBudgetOptions options_;
  Clock& clock_;
  mutable std::mutex mutex_;
  Date day_;
  std::map<std::string, int64_t> used_today_;
  std::map<std::string, bool> exhausted_;
  double tokens_;
  std::chrono::steady_clock::time_point last_refill_;
  // Calls started in the current and the previous one-second window.
  std::chrono::steady_clock::time_point window_start_;
  int64_t window_calls_ = 0;
  int64_t previous_window_calls_ = 0;
  std::optional<std::chrono::steady_clock::time_point> last_slowdown_;
};

}  // namespace silverwork
