// The values of modules.datetime (datetime_module.h): timedelta, date,
// datetime and timezone, each a TemplateObject with Python's attributes,
// methods, str(), ordering and arithmetic (+ and - between them, a
// timedelta times an integer). A datetime is naive (no zone) or aware (a
// fixed offset from UTC, as timezone.utc and timezone(timedelta(hours=9))
// give); naive and aware ones neither subtract nor compare, as in Python.
//
// Immutable values; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "transform/template/datetime_format.h"
#include "transform/template/value.h"

namespace silverwork::transform {

inline constexpr int64_t kMicrosPerSecond = 1'000'000;
inline constexpr int64_t kMicrosPerDay = 86'400 * kMicrosPerSecond;

struct Timedelta {
  int64_t micros = 0;
};
struct Date {
  int64_t days = 0;  // since 1970-01-01
};
struct Datetime {
  int64_t micros = 0;  // the wall time, since 1970-01-01T00:00 of that wall clock
  std::optional<int> utc_offset_seconds;  // nullopt: naive
};
struct Timezone {
  int utc_offset_seconds = 0;
};

TemplateValue MakeValue(Timedelta value);
TemplateValue MakeValue(Date value);
TemplateValue MakeValue(Datetime value);
TemplateValue MakeValue(Timezone value);

// The value's datetime-module content, or null when it is something else.
const Timedelta* AsTimedelta(const TemplateValue& value);
const Date* AsDate(const TemplateValue& value);
const Datetime* AsDatetime(const TemplateValue& value);
const Timezone* AsTimezone(const TemplateValue& value);

// Days since 1970-01-01 of a day, or an error when it names no real day
// (years 1 to 9999, as Python).
Result<int64_t> DaysFromCivil(int64_t year, int64_t month, int64_t day);

// The datetime a broken-down time names (naive, or aware at its offset), or
// an error when it names no real day or time of day.
Result<Datetime> DatetimeFromCivil(const BrokenDownTime& time);

// "datetime.strftime", "date.year", "timedelta.days", ...: every
// attribute and method of the values, for DatetimeModuleNames().
std::span<const std::string_view> DatetimeValueMemberNames();

}  // namespace silverwork::transform
