// PosixTzRule: a POSIX TZ string, the rule a TZif footer gives for instants
// past the end of the file's table (RFC 8536 section 3.3, with the version 3
// extensions: hours up to 167 and negative times of day).
//
//   KST-9                        fixed UTC+9 (POSIX counts west as positive)
//   <+0545>-5:45                 a quoted name and minutes
//   EST5EDT,M3.2.0,M11.1.0       DST from the 2nd Sunday of March 02:00 local
//                                to the 1st Sunday of November 02:00 local
//   CET-1CEST,M3.5.0,M10.5.0/3   last Sunday of March 02:00 .. October 03:00
//   <-03>3<-02>,M3.5.0/-2,M10.5.0/-1  negative times (version 3)
//
// Only what the footer needs: no DST without a rule, and no TZ=":path" form.
// An immutable value; thread-safe.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace silverwork::scheduler {

class PosixTzRule {
 public:
  // The day a DST change happens in a year, and the local time it happens at.
  struct ChangeDay {
    enum class Form { kJulianNoLeap, kZeroBasedDay, kMonthWeekDay };
    Form form = Form::kMonthWeekDay;
    int day = 0;      // kJulianNoLeap: 1..365 (Feb 29 never counted); kZeroBasedDay: 0..365
    int month = 0;    // kMonthWeekDay: 1..12
    int week = 0;     // kMonthWeekDay: 1..5 (5: the last)
    int weekday = 0;  // kMonthWeekDay: 0 (Sunday) .. 6
    std::chrono::seconds time_of_day{7200};  // local time of the change; default 02:00
  };

  // One change of offset: at `at`, the offset becomes `utc_offset`.
  struct Change {
    std::chrono::sys_seconds at;
    std::chrono::seconds utc_offset;
  };

  static Result<PosixTzRule> Parse(std::string_view text);

  // Offsets as "local = UTC + offset" (the negation of POSIX's sign).
  std::chrono::seconds standard_offset() const { return standard_offset_; }
  bool has_dst() const { return dst_.has_value(); }

  // The offset in effect at `instant`.
  std::chrono::seconds OffsetAt(std::chrono::sys_seconds instant) const;
  // The changes of the given calendar year (the year of each change's local
  // date), in time order. Empty without DST.
  std::vector<Change> ChangesInYear(int year) const;

 private:
  struct Dst {
    std::chrono::seconds offset;
    ChangeDay start;  // standard -> DST, time in standard local time
    ChangeDay end;    // DST -> standard, time in DST local time
  };

  std::chrono::seconds standard_offset_{0};
  std::optional<Dst> dst_;
};

}  // namespace silverwork::scheduler
