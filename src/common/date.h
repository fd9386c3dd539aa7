// Civil dates and timestamps as the data.go.kr sources write them.
//
// Date is a calendar day (no time zone); it converts to and from the
// `YYYYMMDD` and `YYYY-MM-DD` forms the APIs use. Korea has no daylight
// saving time, so "today in Korea" is UTC+9. Value type, thread-compatible.
#pragma once

#include <chrono>
#include <compare>
#include <string>
#include <string_view>

#include "common/status.h"

namespace silverwork {

class Date {
 public:
  Date() = default;
  explicit Date(std::chrono::sys_days days) : days_(days) {}
  static Date FromYmd(int year, unsigned month, unsigned day);

  // Accepts "YYYYMMDD" and "YYYY-MM-DD"; rejects anything else, including
  // impossible days such as 2023-02-30.
  static Result<Date> Parse(std::string_view text);

  // The calendar day in Korea (UTC+9) at the given instant.
  static Date KoreaDay(std::chrono::system_clock::time_point instant);

  int year() const;
  unsigned month() const;
  unsigned day() const;
  std::chrono::sys_days sys_days() const { return days_; }
  int64_t DaysSinceEpoch() const { return days_.time_since_epoch().count(); }

  Date AddDays(int64_t n) const { return Date(days_ + std::chrono::days(n)); }
  int64_t DaysUntil(Date later) const { return (later.days_ - days_).count(); }

  std::string Compact() const;  // YYYYMMDD
  std::string Iso() const;      // YYYY-MM-DD

  // clang-tidy 14 reads the defaulted <=>'s comparison with 0 as a null pointer.
  auto operator<=>(const Date&) const = default;  // NOLINT(modernize-use-nullptr)

 private:
  std::chrono::sys_days days_{};
};

// "2026-11-25T01:00:09Z" in UTC, second precision.
std::string FormatUtcTimestamp(std::chrono::system_clock::time_point instant);
// "2022-11-25T01:00:09+09:00", Korea time, as the postings API writes createDy/updDy.
std::string FormatKoreaTimestamp(std::chrono::system_clock::time_point instant);

// Parses an ISO 8601 instant: "YYYY-MM-DDTHH:MM[:SS[.fraction]]" followed by
// its zone, "Z" or an offset ("+09:00", "+0900", "+09"). A day alone or a
// time without a zone is an error (kInvalidInput saying which part is
// wrong), never silently read in some zone.
Result<std::chrono::system_clock::time_point> ParseIsoInstant(std::string_view text);

}  // namespace silverwork
