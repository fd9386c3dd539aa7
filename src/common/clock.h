// Clock: the one way silverwork reads time and waits.
//
// Production code takes a Clock& so tests can substitute FakeClock, which
// never sleeps and advances only when told (or when something sleeps on it).
// SystemClock is stateless and thread-safe; FakeClock is thread-safe.
#pragma once

#include <atomic>
#include <chrono>

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

}  // namespace silverwork
