// TimeZone: an IANA time zone read from a TZif file, converting instants to
// local wall time and back.
//
// GCC 12's libstdc++ has no std::chrono::locate_zone, so silverwork reads the
// zone files Debian's `tzdata` installs under /usr/share/zoneinfo itself:
// TZif versions 1, 2 and 3 (RFC 8536), the 64-bit section when present, and
// the footer's POSIX TZ string (e.g. "EST5EDT,M3.2.0,M11.1.0") for instants
// past the end of the table. Leap-second ("right/") zones are refused.
//
// The zone is seen as a sequence of OffsetSpans: half-open stretches of UTC
// time with one UTC offset. Where the offset grows (spring forward) a range
// of local times never happens: a gap. Where it shrinks (fall back) a range
// happens twice: an overlap. ToUtc() resolves both by one rule: a local time
// in a gap moves forward by the gap's length (02:30 on a day New York skips
// 02:00-03:00 is 03:30 EDT); a local time in an overlap is its first
// occurrence (01:30 on the day New York repeats 01:00-02:00 is 01:30 EDT).
// Resolve() reports gaps and overlaps for callers that need another rule
// (the cron schedule does).
//
// A TimeZone is immutable after loading and thread-safe. TimeZoneDatabase
// caches loaded zones and is thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/date.h"
#include "common/status.h"

namespace silverwork::scheduler {

using SysSeconds = std::chrono::sys_seconds;
using LocalSeconds = std::chrono::local_seconds;

// A POSIX TZ rule such as "CET-1CEST,M3.5.0,M10.5.0/3" (TZif footer).
class PosixTzRule;

// A stretch of UTC time [begin, end) in which the UTC offset is constant.
// `begin` is SysSeconds::min() before the first known transition and `end`
// SysSeconds::max() after the last one.
struct OffsetSpan {
  SysSeconds begin;
  SysSeconds end;
  std::chrono::seconds utc_offset;  // local = utc + utc_offset
};

// How one local time maps to instants.
struct LocalResolution {
  enum class Kind { kUnique, kGap, kOverlap };
  Kind kind = Kind::kUnique;
  // kUnique: the instant. kOverlap: the first occurrence. kGap: the local
  // time read with the offset before the gap, i.e. moved forward by the
  // gap's length (ToUtc's rule).
  SysSeconds instant;
  // kOverlap: the second occurrence; otherwise equal to `instant`.
  SysSeconds second_instant;
  // kGap: the instant the gap ends (the transition); otherwise unset.
  SysSeconds gap_end;
};

class TimeZone {
 public:
  // Parses TZif bytes. `name` is used in messages and by name().
  static Result<std::shared_ptr<const TimeZone>> FromTzif(std::string name, std::string_view bytes);
  // A zone from a POSIX TZ string alone, e.g. "KST-9" or "EST5EDT,M3.2.0,M11.1.0".
  static Result<std::shared_ptr<const TimeZone>> FromPosixRule(std::string name,
                                                               std::string_view rule);
  // UTC, built in (needs no zone files).
  static std::shared_ptr<const TimeZone> Utc();

  ~TimeZone();
  TimeZone(const TimeZone&) = delete;
  TimeZone& operator=(const TimeZone&) = delete;

  const std::string& name() const { return name_; }

  // The span holding `instant`.
  OffsetSpan SpanAt(SysSeconds instant) const;
  std::chrono::seconds OffsetAt(SysSeconds instant) const { return SpanAt(instant).utc_offset; }

  LocalSeconds ToLocal(SysSeconds instant) const;
  // The calendar day at `instant` in this zone.
  Date LocalDate(SysSeconds instant) const;

  // Every way `local` maps to an instant (see LocalResolution).
  LocalResolution Resolve(LocalSeconds local) const;
  // The one instant for `local` by the rule in the file comment: a gap moves
  // forward by its length, an overlap takes the first occurrence.
  SysSeconds ToUtc(LocalSeconds local) const;
  // The instant a calendar day starts (its local midnight, by ToUtc's rule).
  SysSeconds StartOfDay(Date day) const;

 private:
  struct Transition {
    SysSeconds at;
    std::chrono::seconds utc_offset;
  };
  TimeZone(std::string name, std::chrono::seconds initial_offset,
           std::vector<Transition> transitions, std::unique_ptr<PosixTzRule> footer);

  // Transitions of the footer rule strictly after `after` and at most
  // `until`, in order.
  std::vector<Transition> FooterTransitions(SysSeconds after, SysSeconds until) const;
  OffsetSpan FooterSpanAt(SysSeconds instant, SysSeconds floor) const;

  std::string name_;
  std::chrono::seconds initial_offset_;  // before the first transition
  std::vector<Transition> transitions_;  // ascending, from the table
  std::unique_ptr<PosixTzRule> footer_;  // null: the last offset holds forever
};

// Where zone files are found and loaded once. Thread-safe.
class TimeZoneDatabase {
 public:
  static constexpr std::string_view kDefaultRoot = "/usr/share/zoneinfo";

  explicit TimeZoneDatabase(std::filesystem::path root = std::filesystem::path(kDefaultRoot));

  // The zone named `name` ("UTC", "Asia/Seoul", "America/New_York"). A bad
  // or unknown name is kInvalidInput/kNotFound saying what names look like.
  // "UTC" and "Etc/UTC" work even without zone files.
  Result<std::shared_ptr<const TimeZone>> Find(std::string_view name) const;

  const std::filesystem::path& root() const { return root_; }

 private:
  std::filesystem::path root_;
  mutable std::mutex mutex_;
  mutable std::map<std::string, std::shared_ptr<const TimeZone>, std::less<>> cache_;
};

// "+09:00", "-04:00", "+05:45".
std::string FormatUtcOffset(std::chrono::seconds offset);

}  // namespace silverwork::scheduler
