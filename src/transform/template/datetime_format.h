// Python's strftime and strptime directives over a broken-down time, for
// the template's datetime values (datetime_values.h). The directives are
// those of Python on Linux that dbt projects use; any other is an error
// naming it, so a format never renders half right.
//
//   %Y %y %m %d %H %I %M %S %f %p %j %a %A %b %B %w %u %z %Z %%
//
// strptime reads %Y %y %m %d %H %M %S %f %z %% and literal characters (a
// space in the format matches any run of whitespace, as in Python), and the
// text must match all of it.
//
// Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace silverwork::transform {

struct BrokenDownTime {
  int year = 1900;
  int month = 1;
  int day = 1;
  int hour = 0;
  int minute = 0;
  int second = 0;
  int microsecond = 0;
  // Seconds east of UTC for an aware time; nullopt for a naive one.
  std::optional<int> utc_offset_seconds;
};

// `time` written with `format` (Python's time.strftime).
// REQUIRES: `time` names a real day.
Result<std::string> FormatTime(const BrokenDownTime& time, std::string_view format);

// `text` read with `format` (Python's datetime.strptime): fields left out
// keep BrokenDownTime's defaults (1900-01-01 00:00:00). An error when the
// text does not match or names no real day.
Result<BrokenDownTime> ParseTime(std::string_view text, std::string_view format);

// `+HH:MM` (or `+HH:MM:SS`), for isoformat() and str().
std::string FormatUtcOffset(int seconds, bool with_colon);

}  // namespace silverwork::transform
