#include "scheduler/cron.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <span>
#include <sstream>
#include <vector>

namespace silverwork::scheduler {
namespace {

using std::chrono::days;
using std::chrono::minutes;
using std::chrono::seconds;

// Ten years: longer than any gap between fires of a valid expression
// (February 29 recurs within eight years).
constexpr days kSearchHorizon{3660};

struct FieldSpec {
  const char* name;
  int min;
  int max;
  std::span<const std::string_view> names;  // names[i] is value min + i
};

constexpr std::array<std::string_view, 12> kMonthNames{"jan", "feb", "mar", "apr", "may", "jun",
                                                       "jul", "aug", "sep", "oct", "nov", "dec"};
constexpr std::array<std::string_view, 7> kWeekdayNames{"sun", "mon", "tue", "wed",
                                                        "thu", "fri", "sat"};

const std::array<FieldSpec, 5> kFields{{
    {"minute", 0, 59, {}},
    {"hour", 0, 23, {}},
    {"day-of-month", 1, 31, {}},
    {"month", 1, 12, kMonthNames},
    {"day-of-week", 0, 7, kWeekdayNames},
}};

const std::array<std::pair<std::string_view, std::string_view>, 7> kAliases{{
    {"@hourly", "0 * * * *"},
    {"@daily", "0 0 * * *"},
    {"@midnight", "0 0 * * *"},
    {"@weekly", "0 0 * * 0"},
    {"@monthly", "0 0 1 * *"},
    {"@yearly", "0 0 1 1 *"},
    {"@annually", "0 0 1 1 *"},
}};

constexpr std::string_view kSyntaxHint =
    "write five fields (minute hour day-of-month month day-of-week), each '*', a value, a list "
    "(1,15), a range (1-5) or a step (*/2, 0-30/10), e.g. '0 0 * * *'; or @hourly, @daily, "
    "@weekly, @monthly, @yearly";

LocalSeconds StartOfLocalDay(std::chrono::local_days day) { return LocalSeconds(day); }

}  // namespace

// Parses one expression into a CronSchedule; a friend so it can fill the bits.
class CronParser {
 public:
  explicit CronParser(std::string_view expression) : expression_(expression) {}

  Result<CronSchedule> Parse() {
    std::string_view text = expression_;
    std::string expanded;
    if (!text.empty() && text.front() == '@') {
      std::string lower = Lower(text);
      auto alias = std::find_if(kAliases.begin(), kAliases.end(),
                                [&](const auto& entry) { return entry.first == lower; });
      if (alias == kAliases.end())
        return Status(ErrorCode::kInvalidInput,
                      fmt::format("cron '{}': unknown alias", expression_),
                      "use @hourly, @daily, @weekly, @monthly or @yearly (@reboot is not a "
                      "schedule), or five fields");
      expanded = std::string(alias->second);
      text = expanded;
    }
    std::istringstream words{std::string(text)};
    std::vector<std::string> fields;
    for (std::string word; words >> word;) fields.push_back(word);
    if (fields.size() != kFields.size())
      return Status(ErrorCode::kInvalidInput,
                    fmt::format("cron '{}' has {} fields, not 5", expression_, fields.size()),
                    std::string(kSyntaxHint));

    CronSchedule schedule;
    schedule.expression_ = std::string(expression_);
    std::array<std::vector<int>, 5> values;
    for (size_t index = 0; index < fields.size(); ++index) {
      SW_ASSIGN_OR_RETURN(values[index], ParseField(fields[index], kFields[index]));
    }
    for (int v : values[0]) schedule.minutes_.set(static_cast<size_t>(v));
    for (int v : values[1]) schedule.hours_.set(static_cast<size_t>(v));
    for (int v : values[2]) schedule.days_of_month_.set(static_cast<size_t>(v));
    for (int v : values[3]) schedule.months_.set(static_cast<size_t>(v));
    for (int v : values[4]) schedule.days_of_week_.set(static_cast<size_t>(v % 7));
    schedule.minute_star_ = fields[0].front() == '*';
    schedule.hour_star_ = fields[1].front() == '*';
    schedule.day_of_month_star_ = fields[2].front() == '*';
    schedule.day_of_week_star_ = fields[4].front() == '*';
    SW_RETURN_IF_ERROR(CheckSomeDayExists(schedule));
    return schedule;
  }

 private:
  static std::string Lower(std::string_view text) {
    std::string out(text);
    for (char& ch : out) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return out;
  }

  Status FieldError(const FieldSpec& field, std::string_view part, std::string_view why) const {
    std::string allowed = fmt::format("{}-{}", field.min, field.max);
    if (!field.names.empty())
      allowed += fmt::format(" or names ({}..{})", field.names.front(), field.names.back());
    return Status(ErrorCode::kInvalidInput,
                  fmt::format("cron '{}': {} field: '{}' {}", expression_, field.name, part, why),
                  fmt::format("the {} field allows {}, '*', lists (1,5), ranges (1-5) and steps "
                              "(*/2, 1-30/5)",
                              field.name, allowed));
  }

  Result<int> Value(std::string_view text, const FieldSpec& field) const {
    std::string lower = Lower(text);
    for (size_t i = 0; i < field.names.size(); ++i)
      if (field.names[i] == lower) return field.min + static_cast<int>(i);
    if (text.empty() || text.size() > 4 ||
        !std::all_of(text.begin(), text.end(), [](char ch) { return ch >= '0' && ch <= '9'; }))
      return FieldError(field, text, "is not a number");
    int value = std::stoi(std::string(text));
    if (value < field.min || value > field.max) return FieldError(field, text, "is out of range");
    return value;
  }

  Result<std::vector<int>> ParseField(std::string_view text, const FieldSpec& field) const {
    std::vector<int> out;
    size_t start = 0;
    while (start <= text.size()) {
      size_t comma = text.find(',', start);
      if (comma == std::string_view::npos) comma = text.size();
      SW_RETURN_IF_ERROR(ParseElement(text.substr(start, comma - start), field, out));
      start = comma + 1;
    }
    return out;
  }

  // One list element: `*`, `*/n`, `a`, `a-b`, `a-b/n` or `a/n`.
  Status ParseElement(std::string_view element, const FieldSpec& field,
                      std::vector<int>& out) const {
    if (element.empty()) return FieldError(field, element, "is an empty list element");
    std::string_view range = element;
    int step = 1;
    if (size_t slash = element.find('/'); slash != std::string_view::npos) {
      range = element.substr(0, slash);
      std::string_view step_text = element.substr(slash + 1);
      if (step_text.empty() || step_text.size() > 3 ||
          !std::all_of(step_text.begin(), step_text.end(),
                       [](char ch) { return ch >= '0' && ch <= '9'; }))
        return FieldError(field, element, "has a step that is not a number");
      step = std::stoi(std::string(step_text));
      if (step == 0) return FieldError(field, element, "has a step of 0");
    }
    int low = field.min, high = field.max;
    if (range == "*") {
      // every value
    } else if (size_t dash = range.find('-'); dash != std::string_view::npos) {
      SW_ASSIGN_OR_RETURN(low, Value(range.substr(0, dash), field));
      SW_ASSIGN_OR_RETURN(high, Value(range.substr(dash + 1), field));
      if (low > high)
        return FieldError(field, element, fmt::format("runs backwards; write {}-{}", high, low));
    } else {
      SW_ASSIGN_OR_RETURN(low, Value(range, field));
      if (range.size() == element.size()) high = low;  // a single value; `a/n` runs to the max
    }
    for (int value = low; value <= high; value += step) out.push_back(value);
    return Status::Ok();
  }

  // `0 0 30 2 *` never fires: say so instead of scheduling nothing.
  Status CheckSomeDayExists(const CronSchedule& schedule) const {
    if (!schedule.day_of_month_star_ && !schedule.day_of_week_star_) return Status::Ok();
    if (schedule.day_of_month_star_) return Status::Ok();
    constexpr std::array<int, 13> kLongest{0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int earliest_day = 0;
    while (!schedule.days_of_month_.test(static_cast<size_t>(earliest_day))) ++earliest_day;
    for (int month = 1; month <= 12; ++month)
      if (schedule.months_.test(static_cast<size_t>(month)) && earliest_day <= kLongest[month])
        return Status::Ok();
    return Status(
        ErrorCode::kInvalidInput,
        fmt::format("cron '{}' never fires: no chosen month has day {}", expression_, earliest_day),
        "check the day-of-month and month fields");
  }

  std::string_view expression_;
};

Result<CronSchedule> CronSchedule::Parse(std::string_view expression) {
  return CronParser(expression).Parse();
}

bool CronSchedule::DayMatches(std::chrono::sys_days day) const {
  const std::chrono::year_month_day ymd(day);
  if (!months_.test(static_cast<unsigned>(ymd.month()))) return false;
  const bool dom = days_of_month_.test(static_cast<unsigned>(ymd.day()));
  const bool dow = days_of_week_.test(std::chrono::weekday(day).c_encoding());
  if (day_of_month_star_ || day_of_week_star_) return dom && dow;
  return dom || dow;
}

bool CronSchedule::Matches(LocalSeconds local) const {
  const auto day = std::chrono::floor<days>(local);
  const auto time_of_day = std::chrono::floor<minutes>(local - day);
  if (local != LocalSeconds(day + time_of_day)) return false;  // not on a minute
  return DayMatches(std::chrono::sys_days(day.time_since_epoch())) &&
         hours_.test(static_cast<size_t>(time_of_day.count() / 60)) &&
         minutes_.test(static_cast<size_t>(time_of_day.count() % 60));
}

std::optional<minutes> CronSchedule::MatchInDay(minutes time_of_day, bool backwards) const {
  int hour = static_cast<int>(time_of_day.count() / 60);
  int minute = static_cast<int>(time_of_day.count() % 60);
  const int hour_step = backwards ? -1 : 1;
  for (; hour >= 0 && hour < 24; hour += hour_step, minute = backwards ? 59 : 0) {
    if (!hours_.test(static_cast<size_t>(hour))) continue;
    for (; minute >= 0 && minute < 60; minute += hour_step)
      if (minutes_.test(static_cast<size_t>(minute))) return minutes(hour * 60 + minute);
  }
  return std::nullopt;
}

std::optional<LocalSeconds> CronSchedule::FirstMatchIn(LocalSeconds from, LocalSeconds to) const {
  auto start = std::chrono::ceil<minutes>(from);
  auto day = std::chrono::floor<days>(start);
  minutes time_of_day = std::chrono::floor<minutes>(start - day);
  const auto limit = day + kSearchHorizon;
  while (day <= limit && LocalSeconds(day) < to) {
    const std::chrono::sys_days civil(day.time_since_epoch());
    if (!months_.test(static_cast<unsigned>(std::chrono::year_month_day(civil).month()))) {
      // Skip to the first day of the next month.
      const auto ymd = std::chrono::year_month_day(civil);
      day = std::chrono::local_days((ymd.year() / ymd.month() / 1) + std::chrono::months(1));
      time_of_day = minutes(0);
      continue;
    }
    if (DayMatches(civil)) {
      if (auto match = MatchInDay(time_of_day, false)) {
        LocalSeconds candidate = StartOfLocalDay(day) + *match;
        if (candidate < to) return candidate;
        return std::nullopt;
      }
    }
    day += days(1);
    time_of_day = minutes(0);
  }
  return std::nullopt;
}

std::optional<LocalSeconds> CronSchedule::LastMatchIn(LocalSeconds from, LocalSeconds to) const {
  if (to <= from) return std::nullopt;
  auto last = std::chrono::floor<minutes>(to - seconds(1));
  auto day = std::chrono::floor<days>(last);
  minutes time_of_day = std::chrono::floor<minutes>(last - day);
  const auto limit = day - kSearchHorizon;
  while (day >= limit && LocalSeconds(day) + days(1) > from) {
    const std::chrono::sys_days civil(day.time_since_epoch());
    if (!months_.test(static_cast<unsigned>(std::chrono::year_month_day(civil).month()))) {
      // Skip to the last day of the previous month.
      const auto ymd = std::chrono::year_month_day(civil);
      day = std::chrono::local_days(ymd.year() / ymd.month() / 1) - days(1);
      time_of_day = minutes(24 * 60 - 1);
      continue;
    }
    if (DayMatches(civil)) {
      if (auto match = MatchInDay(time_of_day, true)) {
        LocalSeconds candidate = StartOfLocalDay(day) + *match;
        if (candidate >= from) return candidate;
        return std::nullopt;
      }
    }
    day -= days(1);
    time_of_day = minutes(24 * 60 - 1);
  }
  return std::nullopt;
}

namespace {

LocalSeconds AsLocal(SysSeconds instant, seconds offset) {
  return LocalSeconds((instant + offset).time_since_epoch());
}

// The offset in effect just before `span` begins (its own offset at -inf).
seconds OffsetBefore(const OffsetSpan& span, const TimeZone& zone) {
  if (span.begin == SysSeconds::min()) return span.utc_offset;
  return zone.OffsetAt(span.begin - seconds(1));
}

}  // namespace

std::optional<SysSeconds> CronSchedule::NextAfter(SysSeconds after, const TimeZone& zone) const {
  const SysSeconds horizon = after + kSearchHorizon;
  OffsetSpan span = zone.SpanAt(after);
  seconds before = OffsetBefore(span, zone);
  while (true) {
    const seconds offset = span.utc_offset;
    const bool has_begin = span.begin != SysSeconds::min();
    if (fixed_time() && has_begin && span.begin > after && before < offset) {
      // Local times skipped by this span's start fire when the gap ends.
      if (FirstMatchIn(AsLocal(span.begin, before), AsLocal(span.begin, offset))) return span.begin;
    }
    LocalSeconds from = AsLocal(std::max(after + seconds(1), span.begin), offset);
    if (fixed_time() && has_begin && before > offset)
      from = std::max(from, AsLocal(span.begin, before));  // second occurrences do not fire
    LocalSeconds to =
        span.end == SysSeconds::max() ? AsLocal(horizon, offset) : AsLocal(span.end, offset);
    if (auto match = FirstMatchIn(from, to)) return SysSeconds(match->time_since_epoch()) - offset;
    if (span.end == SysSeconds::max() || span.end > horizon) return std::nullopt;
    before = offset;
    span = zone.SpanAt(span.end);
  }
}

std::optional<SysSeconds> CronSchedule::PreviousBefore(SysSeconds before_instant,
                                                       const TimeZone& zone) const {
  const SysSeconds horizon = before_instant - kSearchHorizon;
  OffsetSpan span = zone.SpanAt(before_instant - seconds(1));
  while (true) {
    const seconds offset = span.utc_offset;
    const bool has_begin = span.begin != SysSeconds::min();
    const seconds previous = OffsetBefore(span, zone);
    LocalSeconds to = AsLocal(std::min(before_instant, span.end), offset);
    LocalSeconds from =
        has_begin ? AsLocal(std::max(span.begin, horizon), offset) : AsLocal(horizon, offset);
    if (fixed_time() && has_begin && previous > offset)
      from = std::max(from, AsLocal(span.begin, previous));  // second occurrences do not fire
    if (auto match = LastMatchIn(from, to)) return SysSeconds(match->time_since_epoch()) - offset;
    if (fixed_time() && has_begin && span.begin < before_instant && previous < offset) {
      if (FirstMatchIn(AsLocal(span.begin, previous), AsLocal(span.begin, offset)))
        return span.begin;
    }
    if (!has_begin || span.begin <= horizon) return std::nullopt;
    span = zone.SpanAt(span.begin - seconds(1));
  }
}

}  // namespace silverwork::scheduler
