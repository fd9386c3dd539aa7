// CronSchedule: a five-field cron expression evaluated in a time zone.
//
//   minute hour day-of-month month day-of-week
//   0-59   0-23 1-31         1-12  0-7 (0 and 7 are Sunday)
//
// Each field is `*`, a value, a range `a-b`, a step `*/n`, `a-b/n` or `a/n`
// (a to the field's maximum), or a comma-separated list of those. Months and
// weekdays may be written as names (jan..dec, sun..sat, any case). Aliases:
// @hourly, @daily (@midnight), @weekly, @monthly, @yearly (@annually).
// Like Vixie cron, when both day-of-month and day-of-week are restricted (the
// field does not start with '*') a day matches when EITHER matches; when one
// of them starts with '*' the other alone decides.
//
// Fire times are local wall times in the schedule's zone. Daylight saving
// follows Vixie cron too:
//  - a fixed-time schedule (neither the minute nor the hour field starts
//    with '*', e.g. `30 2 * * *`) fires once per matching local time: a time
//    in a gap (spring forward) fires at the instant the gap ends; a time in
//    an overlap (fall back) fires at its first occurrence only;
//  - any other schedule (`*/15 * * * *`, `0 * * * *`) follows elapsed time:
//    local times in a gap do not happen and are skipped; times in an overlap
//    happen twice and fire twice, so an hourly schedule stays hourly.
//
// An immutable value; thread-safe.
#pragma once

#include <bitset>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "scheduler/time_zone.h"

namespace silverwork::scheduler {

class CronSchedule {
 public:
  // A schedule that never fires; use Parse().
  CronSchedule() = default;
  // Errors name the field, the bad part and what the field allows.
  static Result<CronSchedule> Parse(std::string_view expression);

  // The expression as written (an alias stays an alias).
  const std::string& expression() const { return expression_; }
  // See the file comment: decides how daylight saving gaps and overlaps act.
  bool fixed_time() const { return !minute_star_ && !hour_star_; }

  // The first fire time strictly after `after`; nullopt when none comes in
  // the next ten years (an expression such as `0 0 29 2 1` still fires).
  std::optional<SysSeconds> NextAfter(SysSeconds after, const TimeZone& zone) const;
  // The last fire time strictly before `before`; nullopt when none in ten years.
  std::optional<SysSeconds> PreviousBefore(SysSeconds before, const TimeZone& zone) const;
  // The last fire time at or before `instant`.
  std::optional<SysSeconds> LatestAtOrBefore(SysSeconds instant, const TimeZone& zone) const {
    return PreviousBefore(instant + std::chrono::seconds(1), zone);
  }

  // Whether a local wall time (to the minute) matches every field.
  bool Matches(LocalSeconds local) const;

  // In words, e.g. "at 00:00 every day", "every hour at minute 30",
  // "at 10:00 on Monday"; the expression itself when no simple phrase fits.
  std::string Describe() const;

 private:
  friend class CronParser;

  bool DayMatches(std::chrono::sys_days day) const;
  // The first matching minute in [from, to) (from rounded up to a minute).
  std::optional<LocalSeconds> FirstMatchIn(LocalSeconds from, LocalSeconds to) const;
  // The last matching minute in [from, to).
  std::optional<LocalSeconds> LastMatchIn(LocalSeconds from, LocalSeconds to) const;
  // The matching minute of `day` at or after (or at or before, when
  // `backwards`) `time_of_day`.
  std::optional<std::chrono::minutes> MatchInDay(std::chrono::minutes time_of_day,
                                                 bool backwards) const;

  std::string expression_;
  std::bitset<60> minutes_;
  std::bitset<24> hours_;
  std::bitset<32> days_of_month_;  // bit 0 unused
  std::bitset<13> months_;         // bit 0 unused
  std::bitset<7> days_of_week_;    // 0 = Sunday
  bool minute_star_ = false;
  bool hour_star_ = false;
  bool day_of_month_star_ = false;
  bool day_of_week_star_ = false;
};

}  // namespace silverwork::scheduler
