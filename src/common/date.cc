#include "common/date.h"

#include <fmt/format.h>

#include <cstdio>

namespace silverwork {
namespace {

bool ParseDigits(std::string_view text, int& out) {
  if (text.empty()) return false;
  int value = 0;
  for (char ch : text) {
    if (ch < '0' || ch > '9') return false;
    value = value * 10 + (ch - '0');
  }
  out = value;
  return true;
}

}  // namespace

Date Date::FromYmd(int year, unsigned month, unsigned day) {
  return Date(std::chrono::sys_days(
      std::chrono::year_month_day(std::chrono::year(year), std::chrono::month(month),
                                  std::chrono::day(day))));
}

Result<Date> Date::Parse(std::string_view text) {
  auto not_a_date = [text] {
    return Status(ErrorCode::kInvalidInput, fmt::format("'{}' is not a date", text),
                  "write dates as YYYY-MM-DD or YYYYMMDD");
  };
  std::string_view year_text, month_text, day_text;
  if (text.size() == 8) {
    year_text = text.substr(0, 4);
    month_text = text.substr(4, 2);
    day_text = text.substr(6, 2);
  } else if (text.size() == 10 && text[4] == '-' && text[7] == '-') {
    year_text = text.substr(0, 4);
    month_text = text.substr(5, 2);
    day_text = text.substr(8, 2);
  } else {
    return not_a_date();
  }
  int year = 0, month = 0, day = 0;
  if (!ParseDigits(year_text, year) || !ParseDigits(month_text, month) ||
      !ParseDigits(day_text, day)) {
    return not_a_date();
  }
  std::chrono::year_month_day ymd{std::chrono::year(year),
                                  std::chrono::month(static_cast<unsigned>(month)),
                                  std::chrono::day(static_cast<unsigned>(day))};
  if (!ymd.ok()) {
    return Status(ErrorCode::kInvalidInput, fmt::format("'{}' is not a valid day", text),
                  "check the month and day");
  }
  return Date(std::chrono::sys_days(ymd));
}

Date Date::KoreaDay(std::chrono::system_clock::time_point instant) {
  return Date(std::chrono::floor<std::chrono::days>(instant + std::chrono::hours(9)));
}

int Date::year() const { return static_cast<int>(std::chrono::year_month_day(days_).year()); }
unsigned Date::month() const {
  return static_cast<unsigned>(std::chrono::year_month_day(days_).month());
}
unsigned Date::day() const {
  return static_cast<unsigned>(std::chrono::year_month_day(days_).day());
}

std::string Date::Compact() const {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d%02u%02u", year(), month(), day());
  return buf;
}

std::string Date::Iso() const {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", year(), month(), day());
  return buf;
}

namespace {
std::string FormatWithOffset(std::chrono::system_clock::time_point instant, int offset_hours,
                             const char* suffix) {
  auto shifted = std::chrono::floor<std::chrono::seconds>(instant) + std::chrono::hours(offset_hours);
  auto day = std::chrono::floor<std::chrono::days>(shifted);
  std::chrono::year_month_day ymd(day);
  std::chrono::hh_mm_ss hms(shifted - day);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d%s", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()), suffix);
  return buf;
}
}  // namespace

std::string FormatUtcTimestamp(std::chrono::system_clock::time_point instant) {
  return FormatWithOffset(instant, 0, "Z");
}

std::string FormatKoreaTimestamp(std::chrono::system_clock::time_point instant) {
  return FormatWithOffset(instant, 9, "+09:00");
}

namespace {

using std::chrono::system_clock;

// Reads "HH:MM[:SS[.fraction]]" from the front of `text` into `time_of_day`.
bool ConsumeTimeOfDay(std::string_view& text, std::chrono::nanoseconds& time_of_day) {
  int hour = 0, minute = 0, second = 0;
  if (text.size() < 5 || text[2] != ':' || !ParseDigits(text.substr(0, 2), hour) ||
      !ParseDigits(text.substr(3, 2), minute) || hour > 23 || minute > 59)
    return false;
  text.remove_prefix(5);
  if (!text.empty() && text[0] == ':') {
    if (text.size() < 3 || !ParseDigits(text.substr(1, 2), second) || second > 59) return false;
    text.remove_prefix(3);
  }
  int64_t nanos = 0;
  if (!text.empty() && text[0] == '.') {
    size_t end = 1;
    while (end < text.size() && text[end] >= '0' && text[end] <= '9') ++end;
    if (end == 1 || end > 10) return false;  // 1 to 9 digits
    for (size_t index = 1; index < 10; ++index)
      nanos = nanos * 10 + (index < end ? text[index] - '0' : 0);
    text.remove_prefix(end);
  }
  time_of_day = std::chrono::hours(hour) + std::chrono::minutes(minute) +
                std::chrono::seconds(second) + std::chrono::nanoseconds(nanos);
  return true;
}

// Reads the whole of `text` as a zone: "Z", "+HH:MM", "+HHMM" or "+HH" (or '-').
bool ParseZoneOffset(std::string_view text, std::chrono::minutes& offset) {
  if (text == "Z") {
    offset = std::chrono::minutes(0);
    return true;
  }
  if (text.size() < 3 || (text[0] != '+' && text[0] != '-')) return false;
  int sign = text[0] == '-' ? -1 : 1;
  std::string_view digits = text.substr(1);
  int hours = 0, minutes = 0;
  if (!ParseDigits(digits.substr(0, 2), hours) || hours > 23) return false;
  digits.remove_prefix(2);
  if (!digits.empty() && digits[0] == ':') digits.remove_prefix(1);
  if (!digits.empty() && (digits.size() != 2 || !ParseDigits(digits, minutes) || minutes > 59))
    return false;
  offset = std::chrono::minutes(sign * (hours * 60 + minutes));
  return true;
}

}  // namespace

Result<system_clock::time_point> ParseIsoInstant(std::string_view text) {
  auto invalid = [text](std::string_view why) {
    return Status(ErrorCode::kInvalidInput,
                  fmt::format("'{}' is not an ISO 8601 instant: {}", text, why),
                  "write the day, the time and its zone, e.g. 2025-07-01T09:00:00+09:00 or "
                  "2025-07-01T00:00:00Z");
  };
  if (text.size() < 10 || text[4] != '-' || text[7] != '-') {
    return invalid("it does not start with a day (YYYY-MM-DD)");
  }
  Result<Date> day = Date::Parse(text.substr(0, 10));
  if (!day.ok()) return invalid("no such day");
  std::string_view rest = text.substr(10);
  if (rest.empty()) return invalid("it has no time of day");
  if (rest[0] != 'T') return invalid("the day and the time are not separated by 'T'");
  rest.remove_prefix(1);
  std::chrono::nanoseconds time_of_day{0};
  if (!ConsumeTimeOfDay(rest, time_of_day)) {
    return invalid("the time of day is not HH:MM[:SS[.fraction]]");
  }
  if (rest.empty()) return invalid("it has no time zone (end it with Z or an offset like +09:00)");
  std::chrono::minutes offset{0};
  if (!ParseZoneOffset(rest, offset)) {
    return invalid(fmt::format("'{}' is not a zone (Z or an offset like +09:00)", rest));
  }
  return system_clock::time_point(day->sys_days()) +
         std::chrono::duration_cast<system_clock::duration>(time_of_day) - offset;
}

}  // namespace silverwork
