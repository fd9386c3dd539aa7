#include "scheduler/time_zone.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "scheduler/posix_tz_rule.h"

namespace silverwork::scheduler {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::seconds;

// No zone has ever been more than a day away from UTC (Kiribati is +14).
constexpr seconds kMaxAbsoluteOffset = hours(26);
constexpr int64_t kFarthestTransition = int64_t{1} << 60;

Status CorruptZone(std::string_view name, std::string_view what) {
  return Status(ErrorCode::kCorrupt, fmt::format("time zone file for '{}' {}", name, what),
                "reinstall the tzdata package (scripts/install-deps.sh installs it)");
}

// Reads big-endian integers from TZif bytes, failing on truncation.
class TzifReader {
 public:
  explicit TzifReader(std::string_view bytes) : bytes_(bytes) {}

  bool Has(size_t count) const { return position_ + count <= bytes_.size(); }
  size_t position() const { return position_; }
  void Skip(size_t count) { position_ += count; }
  std::string_view Rest() const { return bytes_.substr(std::min(position_, bytes_.size())); }

  int64_t Signed(size_t width) {
    uint64_t value = 0;
    for (size_t i = 0; i < width; ++i)
      value = (value << 8) | static_cast<unsigned char>(bytes_[position_ + i]);
    position_ += width;
    if (width < 8 && (value & (uint64_t{1} << (width * 8 - 1))))
      value |= ~uint64_t{0} << (width * 8);  // sign-extend
    return static_cast<int64_t>(value);
  }
  uint8_t Byte() { return static_cast<uint8_t>(bytes_[position_++]); }

 private:
  std::string_view bytes_;
  size_t position_ = 0;
};

struct TzifHeader {
  char version = 0;
  uint32_t isutcnt = 0, isstdcnt = 0, leapcnt = 0, timecnt = 0, typecnt = 0, charcnt = 0;

  size_t DataSize(size_t time_width) const {
    return timecnt * time_width + timecnt + typecnt * 6 + charcnt + leapcnt * (time_width + 4) +
           isstdcnt + isutcnt;
  }
};

constexpr size_t kHeaderSize = 44;

Result<TzifHeader> ReadHeader(TzifReader& reader, std::string_view name) {
  if (!reader.Has(kHeaderSize)) return CorruptZone(name, "is truncated in its header");
  std::string_view magic = reader.Rest().substr(0, 4);
  if (magic != "TZif") return CorruptZone(name, "is not a TZif file (no 'TZif' magic)");
  reader.Skip(4);
  TzifHeader header;
  header.version = static_cast<char>(reader.Byte());
  reader.Skip(15);
  std::array<uint32_t*, 6> counts{&header.isutcnt, &header.isstdcnt, &header.leapcnt,
                                  &header.timecnt, &header.typecnt,  &header.charcnt};
  for (uint32_t* count : counts) *count = static_cast<uint32_t>(reader.Signed(4));
  if (header.typecnt == 0) return CorruptZone(name, "has no local time types");
  if ((header.isutcnt != 0 && header.isutcnt != header.typecnt) ||
      (header.isstdcnt != 0 && header.isstdcnt != header.typecnt))
    return CorruptZone(name, "has inconsistent indicator counts");
  return header;
}

struct TzifTable {
  seconds initial_offset{0};
  std::vector<std::pair<std::chrono::sys_seconds, seconds>> transitions;
};

// Reads one data block (v1 with 4-byte times, v2+ with 8-byte times).
Result<TzifTable> ReadDataBlock(TzifReader& reader, const TzifHeader& header, size_t time_width,
                                std::string_view name) {
  if (!reader.Has(header.DataSize(time_width))) return CorruptZone(name, "is truncated");
  if (header.leapcnt != 0)
    return Status(ErrorCode::kInvalidInput, fmt::format("time zone '{}' counts leap seconds", name),
                  "use the zone without the 'right/' prefix, e.g. Asia/Seoul");
  std::vector<int64_t> times(header.timecnt);
  for (int64_t& time : times) {
    time = reader.Signed(time_width);
    // zic writes -2^59 for "the beginning of time"; anything further out is damage (and
    // would overflow when offsets are added to it).
    if (time < -kFarthestTransition || time > kFarthestTransition)
      return CorruptZone(name, "has a transition time out of range");
  }
  std::vector<uint8_t> type_of(header.timecnt);
  for (uint8_t& type : type_of) {
    type = reader.Byte();
    if (type >= header.typecnt) return CorruptZone(name, "names a local time type it lacks");
  }
  std::vector<seconds> offsets(header.typecnt);
  for (seconds& offset : offsets) {
    offset = seconds(reader.Signed(4));
    reader.Skip(2);  // isdst, abbreviation index: not needed for conversions
    if (offset > kMaxAbsoluteOffset || offset < -kMaxAbsoluteOffset)
      return CorruptZone(name, "has a UTC offset beyond 26 hours");
  }
  reader.Skip(header.charcnt + header.isstdcnt + header.isutcnt);

  TzifTable table;
  table.initial_offset = offsets[0];  // RFC 8536: type 0 before the first transition
  seconds current = table.initial_offset;
  for (size_t i = 0; i < times.size(); ++i) {
    if (i > 0 && times[i] <= times[i - 1]) return CorruptZone(name, "has unordered transitions");
    seconds offset = offsets[type_of[i]];
    if (offset == current) continue;  // a change of abbreviation or DST flag only
    table.transitions.emplace_back(std::chrono::sys_seconds(seconds(times[i])), offset);
    current = offset;
  }
  return table;
}

// Zone names are paths below the database root: refuse anything that could
// leave it or that no IANA name looks like.
Status CheckZoneName(std::string_view name) {
  bool valid = !name.empty() && name.size() <= 64 && name.front() != '/' &&
               name.find("..") == std::string_view::npos &&
               std::all_of(name.begin(), name.end(), [](char ch) {
                 return std::isalnum(static_cast<unsigned char>(ch)) || ch == '/' || ch == '_' ||
                        ch == '-' || ch == '+';
               });
  if (valid) return Status::Ok();
  return Status(ErrorCode::kInvalidInput, fmt::format("'{}' is not a time zone name", name),
                "write an IANA time zone name such as UTC, Asia/Seoul or America/New_York");
}

}  // namespace

TimeZone::TimeZone(std::string name, seconds initial_offset, std::vector<Transition> transitions,
                   std::unique_ptr<PosixTzRule> footer)
    : name_(std::move(name)),
      initial_offset_(initial_offset),
      transitions_(std::move(transitions)),
      footer_(std::move(footer)) {}

TimeZone::~TimeZone() = default;

Result<std::shared_ptr<const TimeZone>> TimeZone::FromTzif(std::string name,
                                                           std::string_view bytes) {
  TzifReader reader(bytes);
  SW_ASSIGN_OR_RETURN(TzifHeader header, ReadHeader(reader, name));
  size_t time_width = 4;
  if (header.version >= '2') {
    // Skip the 32-bit block: the 64-bit one after the second header is complete.
    if (!reader.Has(header.DataSize(4))) return CorruptZone(name, "is truncated");
    reader.Skip(header.DataSize(4));
    SW_ASSIGN_OR_RETURN(header, ReadHeader(reader, name));
    time_width = 8;
  } else if (header.version != '\0') {
    return CorruptZone(name, fmt::format("has unknown TZif version '{}'", header.version));
  }
  SW_ASSIGN_OR_RETURN(TzifTable table, ReadDataBlock(reader, header, time_width, name));

  std::unique_ptr<PosixTzRule> footer;
  if (time_width == 8) {
    std::string_view rest = reader.Rest();
    if (rest.size() < 2 || rest.front() != '\n') return CorruptZone(name, "has no footer");
    size_t end = rest.find('\n', 1);
    if (end == std::string_view::npos) return CorruptZone(name, "has an unterminated footer");
    std::string_view text = rest.substr(1, end - 1);
    if (!text.empty()) {
      auto parsed = PosixTzRule::Parse(text);
      if (!parsed.ok()) return parsed.status().WithContext(fmt::format("time zone '{}'", name));
      footer = std::make_unique<PosixTzRule>(std::move(parsed).value());
    }
  }
  std::vector<Transition> transitions;
  transitions.reserve(table.transitions.size());
  for (const auto& [at, offset] : table.transitions) transitions.push_back({at, offset});
  return std::shared_ptr<const TimeZone>(new TimeZone(std::move(name), table.initial_offset,
                                                      std::move(transitions), std::move(footer)));
}

Result<std::shared_ptr<const TimeZone>> TimeZone::FromPosixRule(std::string name,
                                                                std::string_view rule) {
  SW_ASSIGN_OR_RETURN(PosixTzRule parsed, PosixTzRule::Parse(rule));
  seconds initial = parsed.standard_offset();
  return std::shared_ptr<const TimeZone>(
      new TimeZone(std::move(name), initial, {}, std::make_unique<PosixTzRule>(std::move(parsed))));
}

std::shared_ptr<const TimeZone> TimeZone::Utc() {
  static const std::shared_ptr<const TimeZone> utc(new TimeZone("UTC", seconds(0), {}, nullptr));
  return utc;
}

std::vector<TimeZone::Transition> TimeZone::FooterTransitions(
    std::chrono::sys_seconds after, std::chrono::sys_seconds until) const {
  std::vector<Transition> out;
  if (!footer_ || !footer_->has_dst()) return out;
  auto year_of = [](std::chrono::sys_seconds instant) {
    return static_cast<int>(std::chrono::year_month_day(std::chrono::floor<days>(instant)).year());
  };
  seconds current = footer_->OffsetAt(after);
  for (int year = year_of(after) - 1; year <= year_of(until) + 1; ++year) {
    for (const PosixTzRule::Change& change : footer_->ChangesInYear(year)) {
      if (change.at <= after || change.at > until || change.utc_offset == current) continue;
      out.push_back({change.at, change.utc_offset});
      current = change.utc_offset;
    }
  }
  return out;
}

OffsetSpan TimeZone::FooterSpanAt(std::chrono::sys_seconds instant,
                                  std::chrono::sys_seconds floor) const {
  OffsetSpan span{floor, std::chrono::sys_seconds::max(), footer_->OffsetAt(instant)};
  if (!footer_->has_dst()) return span;
  // DST rules change at least once a year: two years either side suffice.
  const auto window = days(2 * 366);
  auto lower = std::max(floor, instant - window);
  for (const Transition& change : FooterTransitions(lower, instant)) span.begin = change.at;
  for (const Transition& change : FooterTransitions(instant, instant + window)) {
    span.end = change.at;
    break;
  }
  return span;
}

OffsetSpan TimeZone::SpanAt(std::chrono::sys_seconds instant) const {
  constexpr auto kMin = std::chrono::sys_seconds::min();
  constexpr auto kMax = std::chrono::sys_seconds::max();
  if (transitions_.empty()) {
    if (footer_) return FooterSpanAt(instant, kMin);
    return {kMin, kMax, initial_offset_};
  }
  auto after = std::upper_bound(
      transitions_.begin(), transitions_.end(), instant,
      [](std::chrono::sys_seconds value, const Transition& t) { return value < t.at; });
  if (after == transitions_.begin()) return {kMin, transitions_.front().at, initial_offset_};
  const Transition& last = *(after - 1);
  if (after != transitions_.end()) return {last.at, after->at, last.utc_offset};
  // Past the table: the footer rule takes over.
  if (!footer_) return {last.at, kMax, last.utc_offset};
  return FooterSpanAt(instant, last.at);
}

LocalSeconds TimeZone::ToLocal(std::chrono::sys_seconds instant) const {
  return LocalSeconds((instant + OffsetAt(instant)).time_since_epoch());
}

Date TimeZone::LocalDate(std::chrono::sys_seconds instant) const {
  auto local = ToLocal(instant);
  return Date(std::chrono::sys_days(std::chrono::floor<days>(local.time_since_epoch())));
}

LocalResolution TimeZone::Resolve(LocalSeconds local) const {
  const std::chrono::sys_seconds as_utc(local.time_since_epoch());
  // Every span an occurrence of `local` could fall in.
  std::vector<OffsetSpan> spans{SpanAt(as_utc - kMaxAbsoluteOffset)};
  while (spans.back().end != std::chrono::sys_seconds::max() &&
         spans.back().end <= as_utc + kMaxAbsoluteOffset)
    spans.push_back(SpanAt(spans.back().end));

  std::vector<std::chrono::sys_seconds> occurrences;
  for (const OffsetSpan& span : spans) {
    auto candidate = as_utc - span.utc_offset;
    if (candidate >= span.begin && candidate < span.end) occurrences.push_back(candidate);
  }
  LocalResolution resolution;
  if (occurrences.size() == 1) {
    resolution.instant = resolution.second_instant = occurrences.front();
    return resolution;
  }
  if (occurrences.size() >= 2) {
    resolution.kind = LocalResolution::Kind::kOverlap;
    resolution.instant = occurrences.front();
    resolution.second_instant = occurrences[1];
    return resolution;
  }
  resolution.kind = LocalResolution::Kind::kGap;
  for (size_t i = 1; i < spans.size(); ++i) {
    const OffsetSpan& before = spans[i - 1];
    const OffsetSpan& after = spans[i];
    auto gap_begin = LocalSeconds((after.begin + before.utc_offset).time_since_epoch());
    auto gap_end = LocalSeconds((after.begin + after.utc_offset).time_since_epoch());
    if (local >= gap_begin && local < gap_end) {
      resolution.instant = resolution.second_instant = as_utc - before.utc_offset;
      resolution.gap_end = after.begin;
      return resolution;
    }
  }
  // Unreachable for consistent spans; fall back to the offset at that time.
  resolution.instant = resolution.second_instant = as_utc - OffsetAt(as_utc);
  resolution.gap_end = resolution.instant;
  return resolution;
}

std::chrono::sys_seconds TimeZone::ToUtc(LocalSeconds local) const {
  return Resolve(local).instant;
}

std::chrono::sys_seconds TimeZone::StartOfDay(Date day) const {
  return ToUtc(LocalSeconds(day.sys_days().time_since_epoch()));
}

TimeZoneDatabase::TimeZoneDatabase(std::filesystem::path root) : root_(std::move(root)) {}

Result<std::shared_ptr<const TimeZone>> TimeZoneDatabase::Find(std::string_view name) const {
  SW_RETURN_IF_ERROR(CheckZoneName(name));
  std::lock_guard lock(mutex_);
  if (auto cached = cache_.find(name); cached != cache_.end()) return cached->second;
  const std::filesystem::path path = root_ / std::string(name);
  std::error_code error;
  std::ifstream file;
  if (std::filesystem::is_regular_file(path, error)) file.open(path, std::ios::binary);
  std::shared_ptr<const TimeZone> zone;
  if (!file.is_open()) {
    if (name != "UTC" && name != "Etc/UTC") {
      std::error_code ignored;
      bool have_database = std::filesystem::exists(root_ / "Asia" / "Seoul", ignored);
      return Status(ErrorCode::kNotFound,
                    fmt::format("unknown time zone '{}' (no file {})", name, path.string()),
                    have_database ? "write an IANA time zone name such as UTC, Asia/Seoul or "
                                    "America/New_York; the names are the files under " +
                                        root_.string()
                                  : "the time zone database is missing: install the tzdata package "
                                    "(scripts/install-deps.sh does)");
    }
    zone = TimeZone::Utc();
  } else {
    std::ostringstream bytes;
    bytes << file.rdbuf();
    SW_ASSIGN_OR_RETURN(zone, TimeZone::FromTzif(std::string(name), bytes.str()));
  }
  cache_.emplace(std::string(name), zone);
  return zone;
}

std::string FormatUtcOffset(seconds offset) {
  char sign = offset < seconds(0) ? '-' : '+';
  int64_t total = std::abs(offset.count());
  if (total % 60 != 0)
    return fmt::format("{}{:02}:{:02}:{:02}", sign, total / 3600, total / 60 % 60, total % 60);
  return fmt::format("{}{:02}:{:02}", sign, total / 3600, total / 60 % 60);
}

}  // namespace silverwork::scheduler
