#include "common/date.h"

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
    return Status(ErrorCode::kInvalidInput,
                  "'" + std::string(text) + "' is not a date",
                  "write dates as YYYY-MM-DD or YYYYMMDD");
  }
  int year = 0, month = 0, day = 0;
  if (!ParseDigits(year_text, year) || !ParseDigits(month_text, month) ||
      !ParseDigits(day_text, day)) {
    return Status(ErrorCode::kInvalidInput, "'" + std::string(text) + "' is not a date",
                  "write dates as YYYY-MM-DD or YYYYMMDD");
  }
  std::chrono::year_month_day ymd{std::chrono::year(year),
                                  std::chrono::month(static_cast<unsigned>(month)),
                                  std::chrono::day(static_cast<unsigned>(day))};
  if (!ymd.ok()) {
    return Status(ErrorCode::kInvalidInput, "'" + std::string(text) + "' is not a valid day",
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

}  // namespace silverwork
