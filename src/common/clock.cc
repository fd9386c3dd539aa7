#include "common/clock.h"

#include <spdlog/spdlog.h>

#include <cstdlib>
#include <thread>

#include "common/date.h"

namespace silverwork {

std::chrono::system_clock::time_point SystemClock::Now() {
  return std::chrono::system_clock::now();
}
std::chrono::steady_clock::time_point SystemClock::Monotonic() {
  return std::chrono::steady_clock::now();
}
void SystemClock::SleepFor(std::chrono::nanoseconds duration) {
  if (duration.count() > 0) std::this_thread::sleep_for(duration);
}

Clock& DefaultClock() {
  static SystemClock clock;
  return clock;
}

ShiftedClock::ShiftedClock(std::chrono::system_clock::time_point start, Clock& base)
    : base_(base), start_(start), base_at_start_(base.Monotonic()) {}

std::chrono::system_clock::time_point ShiftedClock::Now() {
  return start_ + std::chrono::duration_cast<std::chrono::system_clock::duration>(
                      base_.Monotonic() - base_at_start_);
}
std::chrono::steady_clock::time_point ShiftedClock::Monotonic() { return base_.Monotonic(); }
void ShiftedClock::SleepFor(std::chrono::nanoseconds duration) { base_.SleepFor(duration); }

Result<ProcessClock> ProcessClock::FromSetting(const char* now_setting, Clock& base) {
  ProcessClock process_clock(base);
  if (now_setting == nullptr || *now_setting == '\0') return process_clock;
  auto start = ParseIsoInstant(now_setting);
  if (!start.ok()) {
    return Status(ErrorCode::kInvalidInput,
                  std::string(kNowVariable) + ": " + start.status().message(),
                  start.status().hint() + ", or unset " + kNowVariable + " to use the real time");
  }
  process_clock.shifted_ = std::make_shared<ShiftedClock>(*start, base);
  spdlog::warn("{} is set: this process's clock starts at {} ({} in Korea) and advances in real "
               "time from there; unset it to use the real time",
               kNowVariable, FormatUtcTimestamp(*start), FormatKoreaTimestamp(*start));
  return process_clock;
}

Result<ProcessClock> ProcessClock::FromEnvironment() {
  return FromSetting(std::getenv(kNowVariable), DefaultClock());
}

}  // namespace silverwork
