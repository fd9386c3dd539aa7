#include "scheduler/posix_tz_rule.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace silverwork::scheduler {
namespace {

using std::chrono::days;
using std::chrono::seconds;

constexpr int kMaxHours = 167;  // version 3 allows -167..167 hours in times of day

class RuleReader {
 public:
  explicit RuleReader(std::string_view text) : text_(text) {}

  bool AtEnd() const { return position_ >= text_.size(); }
  char Peek() const { return AtEnd() ? '\0' : text_[position_]; }
  bool Consume(char expected) {
    if (Peek() != expected) return false;
    ++position_;
    return true;
  }

  Status Error(std::string_view what) const {
    return Status(ErrorCode::kCorrupt,
                  fmt::format("POSIX TZ rule '{}': {} at position {}", text_, what, position_ + 1),
                  "the zone file's footer is damaged; reinstall the tzdata package");
  }

  // A zone abbreviation: three or more letters, or anything quoted in <>.
  Status Name() {
    if (Consume('<')) {
      size_t close = text_.find('>', position_);
      if (close == std::string_view::npos || close - position_ < 3)
        return Error("quoted name without '>' or shorter than 3 characters");
      position_ = close + 1;
      return Status::Ok();
    }
    size_t start = position_;
    while (std::isalpha(static_cast<unsigned char>(Peek()))) ++position_;
    if (position_ - start < 3) return Error("zone name shorter than 3 letters");
    return Status::Ok();
  }

  // [+-]hh[:mm[:ss]] with hours up to `max_hours`.
  Result<seconds> SignedTime(int max_hours) {
    int sign = 1;
    if (Consume('-')) {
      sign = -1;
    } else {
      Consume('+');
    }
    SW_ASSIGN_OR_RETURN(int hours, Number(0, max_hours, "hours"));
    int minutes = 0, secs = 0;
    if (Consume(':')) {
      SW_ASSIGN_OR_RETURN(minutes, Number(0, 59, "minutes"));
      if (Consume(':')) {
        SW_ASSIGN_OR_RETURN(secs, Number(0, 59, "seconds"));
      }
    }
    return seconds(sign * (hours * 3600 + minutes * 60 + secs));
  }

  Result<int> Number(int min, int max, std::string_view what) {
    size_t start = position_;
    int value = 0;
    while (std::isdigit(static_cast<unsigned char>(Peek())) && position_ - start < 4)
      value = value * 10 + (text_[position_++] - '0');
    if (position_ == start) return Error(fmt::format("expected {}", what));
    if (value < min || value > max)
      return Error(fmt::format("{} {} outside {}..{}", what, value, min, max));
    return value;
  }

  Result<PosixTzRule::ChangeDay> ChangeDay() {
    using Form = PosixTzRule::ChangeDay::Form;
    PosixTzRule::ChangeDay change;
    if (Consume('J')) {
      change.form = Form::kJulianNoLeap;
      SW_ASSIGN_OR_RETURN(change.day, Number(1, 365, "Julian day"));
    } else if (Consume('M')) {
      change.form = Form::kMonthWeekDay;
      SW_ASSIGN_OR_RETURN(change.month, Number(1, 12, "month"));
      if (!Consume('.')) return Error("expected '.' after the month");
      SW_ASSIGN_OR_RETURN(change.week, Number(1, 5, "week"));
      if (!Consume('.')) return Error("expected '.' after the week");
      SW_ASSIGN_OR_RETURN(change.weekday, Number(0, 6, "weekday"));
    } else {
      change.form = Form::kZeroBasedDay;
      SW_ASSIGN_OR_RETURN(change.day, Number(0, 365, "day of year"));
    }
    if (Consume('/')) {
      SW_ASSIGN_OR_RETURN(change.time_of_day, SignedTime(kMaxHours));
    }
    return change;
  }

 private:
  std::string_view text_;
  size_t position_ = 0;
};

// The local calendar day a change falls on in `year`.
std::chrono::sys_days ChangeDate(const PosixTzRule::ChangeDay& change, int year) {
  using namespace std::chrono;
  using Form = PosixTzRule::ChangeDay::Form;
  const std::chrono::year y{year};
  const sys_days january_first{y / January / 1};
  switch (change.form) {
    case Form::kJulianNoLeap: {
      // Day 60 is March 1 in every year: February 29 is never counted.
      int extra = (y.is_leap() && change.day >= 60) ? 1 : 0;
      return january_first + days(change.day - 1 + extra);
    }
    case Form::kZeroBasedDay:
      return january_first + days(change.day);
    case Form::kMonthWeekDay: {
      const auto month_of = std::chrono::month(static_cast<unsigned>(change.month));
      const weekday wanted{static_cast<unsigned>(change.weekday)};
      if (change.week == 5) return sys_days{y / month_of / wanted[last]};
      return sys_days{y / month_of / wanted[static_cast<unsigned>(change.week)]};
    }
  }
  return january_first;
}

}  // namespace

Result<PosixTzRule> PosixTzRule::Parse(std::string_view text) {
  RuleReader reader(text);
  PosixTzRule rule;
  SW_RETURN_IF_ERROR(reader.Name());
  SW_ASSIGN_OR_RETURN(seconds standard_west, reader.SignedTime(24));
  rule.standard_offset_ = -standard_west;
  if (reader.AtEnd()) return rule;

  SW_RETURN_IF_ERROR(reader.Name());
  Dst dst;
  dst.offset = rule.standard_offset_ + std::chrono::hours(1);
  if (reader.Peek() != ',' && !reader.AtEnd()) {
    SW_ASSIGN_OR_RETURN(seconds dst_west, reader.SignedTime(24));
    dst.offset = -dst_west;
  }
  if (!reader.Consume(',')) return reader.Error("daylight saving time without a rule");
  SW_ASSIGN_OR_RETURN(dst.start, reader.ChangeDay());
  if (!reader.Consume(',')) return reader.Error("expected ',' before the end of daylight saving");
  SW_ASSIGN_OR_RETURN(dst.end, reader.ChangeDay());
  if (!reader.AtEnd()) return reader.Error("unexpected text after the rule");
  rule.dst_ = dst;
  return rule;
}

std::vector<PosixTzRule::Change> PosixTzRule::ChangesInYear(int year) const {
  if (!dst_) return {};
  const auto start_local = ChangeDate(dst_->start, year) + dst_->start.time_of_day;
  const auto end_local = ChangeDate(dst_->end, year) + dst_->end.time_of_day;
  std::vector<Change> changes{
      {std::chrono::sys_seconds(start_local - standard_offset_), dst_->offset},
      {std::chrono::sys_seconds(end_local - dst_->offset), standard_offset_},
  };
  // At equal instants (DST all year: "EST5EDT,0/0,J365/25") the return to
  // standard time comes first, so DST is what stays in effect.
  std::sort(changes.begin(), changes.end(), [this](const Change& a, const Change& b) {
    if (a.at != b.at) return a.at < b.at;
    return a.utc_offset == standard_offset_ && b.utc_offset != standard_offset_;
  });
  return changes;
}

std::chrono::seconds PosixTzRule::OffsetAt(std::chrono::sys_seconds instant) const {
  if (!dst_) return standard_offset_;
  const int year =
      static_cast<int>(std::chrono::year_month_day(std::chrono::floor<days>(instant)).year());
  seconds offset = standard_offset_;
  std::optional<std::chrono::sys_seconds> latest;
  for (int y = year - 1; y <= year + 1; ++y) {
    for (const Change& change : ChangesInYear(y)) {
      if (change.at <= instant && (!latest || change.at >= *latest)) {
        latest = change.at;
        offset = change.utc_offset;
      }
    }
  }
  return offset;
}

}  // namespace silverwork::scheduler
