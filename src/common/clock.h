// Clock: the one way silverwork reads time and waits.
//
// Production code takes a Clock& so tests can substitute FakeClock, which
// never sleeps and advances only when told (or when something sleeps on it).
// Nothing outside this file reads std::chrono's clocks directly.
//
// A process picks its clock once, at start-up (ProcessClock): the system
// clock, or, when SILVERWORK_NOW is set, a ShiftedClock that starts at that
// instant and advances in real time, so that tests and demos can run "as of"
// a day.
//
// Thread-safety: SystemClock is stateless; FakeClock and ShiftedClock are
// thread-safe (ShiftedClock as far as its base clock is); ProcessClock is a
// value that hands out its clock.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>

#include "common/status.h"

namespace silverwork {

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time, for timestamps and "today".
  virtual std::chrono::system_clock::time_point Now() = 0;
  // Monotonic time, for measuring intervals and rate limits.
  virtual std::chrono::steady_clock::time_point Monotonic() = 0;
  virtual void SleepFor(std::chrono::nanoseconds duration) = 0;
};

class SystemClock final : public Clock {
 public:
  std::chrono::system_clock::time_point Now() override;
  std::chrono::steady_clock::time_point Monotonic() override;
  void SleepFor(std::chrono::nanoseconds duration) override;
};

// Returns a process-wide SystemClock (stateless, so sharing it is harmless).
Clock& DefaultClock();

class FakeClock final : public Clock {
 public:
  explicit FakeClock(std::chrono::system_clock::time_point start) : offset_ns_(0), start_(start) {}
  std::chrono::system_clock::time_point Now() override {
    return start_ + std::chrono::nanoseconds(offset_ns_.load());
  }
  std::chrono::steady_clock::time_point Monotonic() override {
    return std::chrono::steady_clock::time_point(std::chrono::nanoseconds(offset_ns_.load()));
  }
  // Sleeping advances the fake time instead of blocking.
  void SleepFor(std::chrono::nanoseconds duration) override { Advance(duration); }
  void Advance(std::chrono::nanoseconds duration) { offset_ns_ += duration.count(); }
  // Total time slept or advanced so far.
  std::chrono::nanoseconds Elapsed() const { return std::chrono::nanoseconds(offset_ns_.load()); }

 private:
  std::atomic<int64_t> offset_ns_;
  std::chrono::system_clock::time_point start_;
};

// A clock that reads `start` when it is made and from then on moves as
// `base` does: Now() is `start` plus the monotonic time `base` has moved on
// since. Monotonic() and SleepFor() are `base`'s own, so waits stay real (or
// fake, over a FakeClock). REQUIRES: `base` outlives this clock.
class ShiftedClock final : public Clock {
 public:
  ShiftedClock(std::chrono::system_clock::time_point start, Clock& base);
  std::chrono::system_clock::time_point Now() override;
  std::chrono::steady_clock::time_point Monotonic() override;
  void SleepFor(std::chrono::nanoseconds duration) override;

 private:
  Clock& base_;
  const std::chrono::system_clock::time_point start_;
  const std::chrono::steady_clock::time_point base_at_start_;
};

// The environment variable that starts a process's clock at an ISO 8601
// instant, e.g. SILVERWORK_NOW=2025-07-01T09:00:00+09:00.
inline constexpr char kNowVariable[] = "SILVERWORK_NOW";

// The clock a silverwork process runs on, chosen once at start-up and passed
// down to everything that asks what time it is.
class ProcessClock {
 public:
  // `now_setting` is SILVERWORK_NOW's value (null or empty: unset). Unset:
  // the clock is `base` itself. Set: a ShiftedClock over `base` starting at
  // that instant, and a warning saying so is logged. A malformed value is a
  // kInvalidInput error naming the variable and the form it takes.
  // REQUIRES: `base` outlives the ProcessClock.
  static Result<ProcessClock> FromSetting(const char* now_setting, Clock& base);
  // FromSetting(getenv(SILVERWORK_NOW), DefaultClock()).
  static Result<ProcessClock> FromEnvironment();

  Clock& clock() const { return shifted_ ? *shifted_ : *base_; }
  // True when SILVERWORK_NOW moved the clock.
  bool shifted() const { return shifted_ != nullptr; }

 private:
  explicit ProcessClock(Clock& base) : base_(&base) {}

  Clock* base_;
  std::shared_ptr<ShiftedClock> shifted_;
};

}  // namespace silverwork
