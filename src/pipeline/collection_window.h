// CollectionWindow: the Korean days a postings collection covers.
//
// A window is a closed range of KST calendar days [from, to]: the postings
// whose start date (frDd) falls on one of them. "Today" is the day in Korea
// by the injected Clock, so a window resolved at 23:59:59 KST and one at
// 00:00:00 KST end on different days. The functions here are pure apart
// from reading the clock; thread-safe.
#pragma once

#include <compare>
#include <cstdint>
#include <string>

#include "common/clock.h"
#include "common/date.h"
#include "common/status.h"

namespace silverwork {

struct CollectionWindow {
  Date from;
  Date to;  // inclusive

  int64_t days() const { return from.DaysUntil(to) + 1; }
  // clang-tidy 14 reads the defaulted <=>'s comparison with 0 as a null pointer.
  auto operator<=>(const CollectionWindow&) const = default;  // NOLINT(modernize-use-nullptr)
};

// The calendar day in Korea (UTC+9) at the clock's now.
Date KoreaToday(Clock& clock);

// The last `days` Korean days, today included. REQUIRES: days >= 1.
CollectionWindow LastDays(Clock& clock, int days);

// [from, to]; kInvalidInput when `to` is before `from`.
Result<CollectionWindow> WindowBetween(Date from, Date to);

// A window as a user or a schedule asks for it, in the command line's terms:
// either `date` alone, or `from` with an optional `to` (default: today), or
// `days` with an optional `to`; with none of them, the last `default_days`
// days up to `to`. Days are written YYYY-MM-DD or YYYYMMDD; empty = not given,
// days = 0: not given.
struct WindowRequest {
  std::string date;
  std::string from;
  std::string to;
  int days = 0;
};

// Resolves a request against the clock's Korean today. A malformed day, a
// combination that contradicts itself (--date with --from, --from with
// --days) or `to` before `from` is kInvalidInput saying what to give instead.
Result<CollectionWindow> ResolveWindow(const WindowRequest& request, Clock& clock,
                                       int default_days);

}  // namespace silverwork
