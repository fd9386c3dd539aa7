#include "transform/template/datetime_format.h"

#include <fmt/format.h>

#include <array>
#include <cctype>
#include <chrono>
#include <cstdlib>

#include "transform/template/value.h"

namespace silverwork::transform {
namespace {

constexpr std::array<std::string_view, 7> kDayNames = {"Monday",   "Tuesday", "Wednesday",
                                                       "Thursday", "Friday",  "Saturday",
                                                       "Sunday"};
constexpr std::array<std::string_view, 12> kMonthNames = {
    "January", "February", "March",     "April",   "May",      "June",
    "July",    "August",   "September", "October", "November", "December"};

std::chrono::sys_days DayOf(const BrokenDownTime& time) {
  return std::chrono::year{time.year} / std::chrono::month{static_cast<unsigned>(time.month)} /
         std::chrono::day{static_cast<unsigned>(time.day)};
}

// Monday = 0, as Python's weekday().
int WeekdayOf(const BrokenDownTime& time) {
  return static_cast<int>(std::chrono::weekday{DayOf(time)}.iso_encoding()) - 1;
}

int DayOfYear(const BrokenDownTime& time) {
  const std::chrono::sys_days first = std::chrono::year{time.year} / std::chrono::January / 1;
  return static_cast<int>((DayOf(time) - first).count()) + 1;
}

// One directive of `time`, or an error for one FormatTime does not know.
Result<std::string> FormatDirective(const BrokenDownTime& time, char directive) {
  const int hour12 = time.hour % 12 == 0 ? 12 : time.hour % 12;
  const int weekday = WeekdayOf(time);
  switch (directive) {
    case 'Y': return fmt::format("{:04d}", time.year);
    case 'y': return fmt::format("{:02d}", time.year % 100);
    case 'm': return fmt::format("{:02d}", time.month);
    case 'd': return fmt::format("{:02d}", time.day);
    case 'H': return fmt::format("{:02d}", time.hour);
    case 'I': return fmt::format("{:02d}", hour12);
    case 'M': return fmt::format("{:02d}", time.minute);
    case 'S': return fmt::format("{:02d}", time.second);
    case 'f': return fmt::format("{:06d}", time.microsecond);
    case 'p': return std::string(time.hour < 12 ? "AM" : "PM");
    case 'j': return fmt::format("{:03d}", DayOfYear(time));
    case 'a': return std::string(kDayNames[weekday].substr(0, 3));
    case 'A': return std::string(kDayNames[weekday]);
    case 'b': return std::string(kMonthNames[time.month - 1].substr(0, 3));
    case 'B': return std::string(kMonthNames[time.month - 1]);
    case 'w': return std::to_string((weekday + 1) % 7);
    case 'u': return std::to_string(weekday + 1);
    case 'z':
      return time.utc_offset_seconds ? FormatUtcOffset(*time.utc_offset_seconds, false) : "";
    case 'Z':
      if (!time.utc_offset_seconds) return std::string();
      return *time.utc_offset_seconds == 0 ? "UTC"
                                           : "UTC" + FormatUtcOffset(*time.utc_offset_seconds, true);
    case '%': return std::string("%");
    default:
      return TemplateError(fmt::format("strftime: unsupported directive '%{}'", directive),
                           "supported: %Y %y %m %d %H %I %M %S %f %p %j %a %A %b %B %w %u %z %Z %%");
  }
}

// Reads up to `max_digits` digits (at least one) at `pos` of `text`.
std::optional<int> ReadNumber(std::string_view text, size_t& pos, int max_digits) {
  int value = 0;
  int digits = 0;
  while (pos < text.size() && digits < max_digits &&
         std::isdigit(static_cast<unsigned char>(text[pos]))) {
    value = value * 10 + (text[pos] - '0');
    ++pos;
    ++digits;
  }
  if (digits == 0) return std::nullopt;
  return value;
}

// Reads `+HHMM`, `+HH:MM` or `Z` at `pos` of `text`, as seconds east of UTC.
std::optional<int> ReadOffset(std::string_view text, size_t& pos) {
  if (pos < text.size() && text[pos] == 'Z') {
    ++pos;
    return 0;
  }
  if (pos >= text.size() || (text[pos] != '+' && text[pos] != '-')) return std::nullopt;
  const int sign = text[pos++] == '-' ? -1 : 1;
  size_t start = pos;
  auto hours = ReadNumber(text, pos, 2);
  if (!hours || pos - start != 2) return std::nullopt;
  if (pos < text.size() && text[pos] == ':') ++pos;
  start = pos;
  auto minutes = ReadNumber(text, pos, 2);
  if (!minutes || pos - start != 2) return std::nullopt;
  return sign * (*hours * 3600 + *minutes * 60);
}

// Reads one directive's field at `pos` of `text` into `time`; false when the
// text does not have it there.
Result<bool> ParseDirective(std::string_view text, size_t& pos, char directive,
                            BrokenDownTime& time) {
  if (directive == '%') return pos < text.size() && text[pos++] == '%';
  if (directive == 'z') {
    auto offset = ReadOffset(text, pos);
    time.utc_offset_seconds = offset;
    return offset.has_value();
  }
  struct Field {
    char directive;
    int max_digits;
    int* target;
  };
  const Field fields[] = {{'Y', 4, &time.year},   {'y', 2, &time.year},   {'m', 2, &time.month},
                          {'d', 2, &time.day},    {'H', 2, &time.hour},   {'M', 2, &time.minute},
                          {'S', 2, &time.second}, {'f', 6, &time.microsecond}};
  for (const Field& field : fields) {
    if (field.directive != directive) continue;
    const size_t start = pos;
    auto value = ReadNumber(text, pos, field.max_digits);
    if (!value) return false;
    *field.target = *value;
    if (directive == 'y') time.year = *value < 69 ? 2000 + *value : 1900 + *value;
    if (directive == 'f')
      for (size_t digits = pos - start; digits < 6; ++digits) time.microsecond *= 10;
    return true;
  }
  return TemplateError(fmt::format("strptime: unsupported directive '%{}'", directive),
                       "supported: %Y %y %m %d %H %M %S %f %z %%");
}

bool IsRealTime(const BrokenDownTime& time) {
  const std::chrono::year_month_day day{
      std::chrono::year{time.year}, std::chrono::month{static_cast<unsigned>(time.month)},
      std::chrono::day{static_cast<unsigned>(time.day)}};
  return day.ok() && time.year >= 1 && time.year <= 9999 && time.hour < 24 && time.minute < 60 &&
         time.second < 60;
}

}  // namespace

std::string FormatUtcOffset(int seconds, bool with_colon) {
  const char sign = seconds < 0 ? '-' : '+';
  const int magnitude = std::abs(seconds);
  const char* separator = with_colon ? ":" : "";
  std::string text = fmt::format("{}{:02d}{}{:02d}", sign, magnitude / 3600, separator,
                                 magnitude % 3600 / 60);
  if (magnitude % 60 != 0) text += fmt::format("{}{:02d}", separator, magnitude % 60);
  return text;
}

Result<std::string> FormatTime(const BrokenDownTime& time, std::string_view format) {
  std::string out;
  for (size_t i = 0; i < format.size(); ++i) {
    if (format[i] != '%') {
      out += format[i];
      continue;
    }
    if (i + 1 == format.size())
      return TemplateError("strftime: the format ends in a lone '%'", "write %% for a '%'");
    SW_ASSIGN_OR_RETURN(std::string field, FormatDirective(time, format[++i]));
    out += field;
  }
  return out;
}

Result<BrokenDownTime> ParseTime(std::string_view text, std::string_view format) {
  BrokenDownTime time;
  auto mismatch = [&]() {
    return TemplateError(fmt::format("time data '{}' does not match format '{}'", text, format));
  };
  size_t pos = 0;
  for (size_t i = 0; i < format.size(); ++i) {
    if (std::isspace(static_cast<unsigned char>(format[i]))) {
      while (pos < text.size() && std::isspace(static_cast<unsigned char>(text[pos]))) ++pos;
    } else if (format[i] != '%') {
      if (pos >= text.size() || text[pos] != format[i]) return mismatch();
      ++pos;
    } else {
      if (i + 1 == format.size()) return mismatch();
      SW_ASSIGN_OR_RETURN(bool matched, ParseDirective(text, pos, format[++i], time));
      if (!matched) return mismatch();
    }
  }
  if (pos != text.size())
    return TemplateError(fmt::format("unconverted data remains: {}", text.substr(pos)));
  if (!IsRealTime(time))
    return TemplateError(fmt::format("time data '{}' names no real time", text));
  return time;
}

}  // namespace silverwork::transform
