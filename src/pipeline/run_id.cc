#include "pipeline/run_id.h"

#include <cstdio>

#include "common/date.h"

namespace silverwork {
namespace {

using std::chrono::milliseconds;
using std::chrono::system_clock;

std::string FormatRunId(system_clock::time_point start, uint32_t suffix) {
  auto start_ms = std::chrono::floor<milliseconds>(start);
  auto day = std::chrono::floor<std::chrono::days>(start_ms);
  std::chrono::year_month_day ymd(day);
  std::chrono::hh_mm_ss time(start_ms - day);
  char id[40];
  std::snprintf(id, sizeof id, "%04d%02u%02uT%02d%02d%02d.%03dZ-%04x",
                static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()), static_cast<int>(time.hours().count()),
                static_cast<int>(time.minutes().count()),
                static_cast<int>(time.seconds().count()),
                static_cast<int>(time.subseconds().count()), suffix & 0xffffu);
  return id;
}

// The earliest start time whose id sorts above `floor`. Ids of older
// versions carry whole seconds ("20250630T000000Z-0001"), and 'Z' sorts
// above '.', so above such an id means from the next second on.
std::optional<system_clock::time_point> EarliestStartAbove(std::string_view floor) {
  auto floor_start = RunIdStartTime(floor);
  if (!floor_start) return std::nullopt;
  bool has_milliseconds = floor.size() > 15 && floor[15] == '.';
  return *floor_start + (has_milliseconds ? milliseconds(1) : std::chrono::seconds(1));
}

}  // namespace

std::optional<system_clock::time_point> RunIdStartTime(std::string_view run_id) {
  if (run_id.size() < 15 || run_id[8] != 'T') return std::nullopt;
  // YYYYMMDDTHHMMSS[.mmm] -> YYYY-MM-DDTHH:MM:SS[.mmm]Z, read as any instant.
  std::string iso;
  iso.append(run_id.substr(0, 4)).append("-").append(run_id.substr(4, 2)).append("-");
  iso.append(run_id.substr(6, 2)).append("T").append(run_id.substr(9, 2)).append(":");
  iso.append(run_id.substr(11, 2)).append(":").append(run_id.substr(13, 2));
  if (run_id.size() > 15 && run_id[15] == '.') iso.append(run_id.substr(15, 4));
  iso.append("Z");
  auto start = ParseIsoInstant(iso);
  if (!start.ok()) return std::nullopt;
  return *start;
}

RunIdGenerator::RunIdGenerator(Clock& clock, uint32_t suffix_seed)
    : clock_(clock), random_(suffix_seed) {}

Result<std::string> RunIdGenerator::Next(std::string_view floor) {
  std::lock_guard lock(mutex_);
  std::string_view above = floor > std::string_view(last_issued_) ? floor : last_issued_;
  uint32_t suffix = static_cast<uint32_t>(random_());
  std::string id = FormatRunId(clock_.Now(), suffix);
  if (id <= above) {
    auto start = EarliestStartAbove(above);
    if (!start) {
      return Status(ErrorCode::kCorrupt,
                    "run '" + std::string(above) +
                        "' sorts after the current time but is not named like a silverwork run, "
                        "so no new run id can sort after it",
                    "move the lake folders named run=" + std::string(above) +
                        " out of the lake (or the row out of _sw_runs) and try again");
    }
    id = FormatRunId(*start, suffix);
  }
  last_issued_ = id;
  return id;
}

}  // namespace silverwork
