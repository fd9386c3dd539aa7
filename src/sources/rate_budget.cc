#include "sources/rate_budget.h"

#include <algorithm>

namespace silverwork {

RateBudget::RateBudget(RateBudgetOptions options, Clock& clock)
    : options_(options),
      clock_(clock),
      day_(Date::KoreaDay(clock.Now())),
      tokens_(std::max(1.0, options.calls_per_second)),
      last_refill_(clock.Monotonic()),
      window_start_(last_refill_) {}

double RateBudget::calls_per_second() const {
  std::lock_guard lock(mutex_);
  return options_.calls_per_second;
}

double RateBudget::SlowDown() {
  std::lock_guard lock(mutex_);
  auto now = clock_.Monotonic();
  if (last_slowdown_ && now - *last_slowdown_ < std::chrono::seconds(1))
    return options_.calls_per_second;
  last_slowdown_ = now;
  double observed = static_cast<double>(std::max(window_calls_, previous_window_calls_));
  double base =
      options_.calls_per_second > 0 ? std::min(options_.calls_per_second, observed) : observed;
  options_.calls_per_second = std::max(1.0, 0.7 * base);
  tokens_ = std::min(tokens_, options_.calls_per_second);
  return options_.calls_per_second;
}

void RateBudget::RollDayLocked() {
  Date today = Date::KoreaDay(clock_.Now());
  if (today != day_) {
    day_ = today;
    used_today_.clear();
    exhausted_.clear();
  }
}

Date RateBudget::Today() {
  std::lock_guard lock(mutex_);
  RollDayLocked();
  return day_;
}

void RateBudget::SetUsedToday(const std::string& operation, int64_t used) {
  std::lock_guard lock(mutex_);
  RollDayLocked();
  used_today_[operation] = used;
}

int64_t RateBudget::UsedToday(const std::string& operation) {
  std::lock_guard lock(mutex_);
  RollDayLocked();
  return used_today_[operation];
}

void RateBudget::MarkExhausted(const std::string& operation) {
  std::lock_guard lock(mutex_);
  RollDayLocked();
  exhausted_[operation] = true;
}

namespace {
// How either quota refusal ends; the alternative follows.
constexpr std::string_view kResumeAfterMidnight =
    "progress is saved; run the same command again after midnight (KST) to resume, or ";
}  // namespace

Status RateBudget::Acquire(const std::string& operation) {
  std::chrono::nanoseconds wait{0};
  {
    std::lock_guard lock(mutex_);
    RollDayLocked();
    // The service already said so today (code 22): every later call would
    // be refused the same way, and the message says who refused.
    if (exhausted_[operation]) {
      return Status(ErrorCode::kQuotaExhausted,
                    "the service's daily quota for " + operation +
                        " is spent (it answered code "
                        "22, LIMITED_NUMBER_OF_SERVICE_REQUESTS_EXCEEDS_ERROR, after " +
                        std::to_string(used_today_[operation]) + " calls on " + day_.Iso() + ")",
                    std::string(kResumeAfterMidnight) +
                        "register a use case on data.go.kr for a higher quota");
    }
    if (options_.calls_per_day > 0 && used_today_[operation] >= options_.calls_per_day) {
      return Status(
          ErrorCode::kQuotaExhausted,
          "the daily budget of " + std::to_string(options_.calls_per_day) + " calls for " +
              operation + " is spent (" + std::to_string(used_today_[operation]) + " used on " +
              day_.Iso() + ")",
          std::string(kResumeAfterMidnight) + "raise calls_per_day if your key's quota is higher");
    }
    ++used_today_[operation];
    auto now = clock_.Monotonic();
    if (now - window_start_ >= std::chrono::seconds(1)) {
      previous_window_calls_ = now - window_start_ < std::chrono::seconds(2) ? window_calls_ : 0;
      window_calls_ = 0;
      window_start_ = now;
    }
    ++window_calls_;
    if (options_.calls_per_second > 0) {
      double elapsed = std::chrono::duration<double>(now - last_refill_).count();
      last_refill_ = now;
      tokens_ = std::min(options_.calls_per_second, tokens_ + elapsed * options_.calls_per_second);
      tokens_ -= 1.0;
      if (tokens_ < 0) {
        // Reserve the slot now and sleep outside the lock until it is due.
        wait = std::chrono::nanoseconds(
            static_cast<int64_t>(-tokens_ / options_.calls_per_second * 1e9));
      }
    }
  }
  if (wait.count() > 0) clock_.SleepFor(wait);
  return Status::Ok();
}

}  // namespace silverwork
