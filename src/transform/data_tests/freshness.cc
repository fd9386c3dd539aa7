#include "transform/data_tests/freshness.h"

#include <fmt/format.h>

#include <cctype>
#include <cmath>
#include <nlohmann/json.hpp>

namespace silverwork::transform {
namespace {

std::chrono::seconds PeriodLength(const FreshnessThreshold& threshold) {
  int64_t unit = threshold.period == "minute" ? 60 : threshold.period == "hour" ? 3600 : 86400;
  return std::chrono::seconds(threshold.count * unit);
}

std::string Describe(const FreshnessThreshold& threshold) {
  return fmt::format("{} {}{}", threshold.count, threshold.period, threshold.count == 1 ? "" : "s");
}

// Reads `count` digits at `pos` into *out.
bool ReadDigits(std::string_view text, size_t& pos, size_t count, int& out) {
  if (pos + count > text.size()) return false;
  int value = 0;
  for (size_t i = 0; i < count; ++i) {
    char c = text[pos + i];
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    value = value * 10 + (c - '0');
  }
  pos += count;
  out = value;
  return true;
}

std::optional<std::chrono::system_clock::time_point> ParseTimestampText(std::string_view text) {
  size_t pos = 0;
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!ReadDigits(text, pos, 4, year)) return std::nullopt;
  bool compact = pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]));
  auto separator = [&](char expected) {
    if (compact) return true;
    if (pos < text.size() && text[pos] == expected) {
      ++pos;
      return true;
    }
    return false;
  };
  if (!separator('-') || !ReadDigits(text, pos, 2, month) || !separator('-') ||
      !ReadDigits(text, pos, 2, day))
    return std::nullopt;
  std::chrono::seconds offset{0};
  if (pos < text.size()) {
    if (!compact) {
      if (text[pos] != 'T' && text[pos] != ' ') return std::nullopt;
      ++pos;
    }
    if (!ReadDigits(text, pos, 2, hour) || !separator(':') || !ReadDigits(text, pos, 2, minute))
      return std::nullopt;
    if (pos < text.size() && (compact || text[pos] == ':')) {
      if (!separator(':') || !ReadDigits(text, pos, 2, second)) return std::nullopt;
    }
    if (pos < text.size() && text[pos] == '.') {
      ++pos;
      while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) ++pos;
    }
    if (pos < text.size() && text[pos] == 'Z') {
      ++pos;
    } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
      int sign = text[pos] == '-' ? -1 : 1;
      ++pos;
      int offset_hours = 0, offset_minutes = 0;
      if (!ReadDigits(text, pos, 2, offset_hours)) return std::nullopt;
      if (pos < text.size() && text[pos] == ':') ++pos;
      if (pos < text.size() && !ReadDigits(text, pos, 2, offset_minutes)) return std::nullopt;
      offset = std::chrono::seconds(sign * (offset_hours * 3600 + offset_minutes * 60));
    }
    if (pos != text.size()) return std::nullopt;
  }
  std::chrono::year_month_day date{std::chrono::year(year),
                                   std::chrono::month(static_cast<unsigned>(month)),
                                   std::chrono::day(static_cast<unsigned>(day))};
  if (!date.ok() || hour > 23 || minute > 59 || second > 60) return std::nullopt;
  return std::chrono::sys_days(date) + std::chrono::hours(hour) + std::chrono::minutes(minute) +
         std::chrono::seconds(second) - offset;
}

}  // namespace

std::optional<std::chrono::system_clock::time_point> ParseTimestamp(const Value& value) {
  using std::chrono::system_clock;
  if (const auto* integer = std::get_if<int64_t>(&value))
    return system_clock::time_point(std::chrono::seconds(*integer));
  if (const auto* real = std::get_if<double>(&value)) {
    if (!std::isfinite(*real)) return std::nullopt;
    return system_clock::time_point(
        std::chrono::duration_cast<system_clock::duration>(std::chrono::duration<double>(*real)));
  }
  if (const auto* text = std::get_if<std::string>(&value)) return ParseTimestampText(*text);
  return std::nullopt;
}

Result<TestOutcome> CheckFreshness(Warehouse& warehouse, const std::string& relation_sql,
                                   const std::string& loaded_at_field,
                                   const FreshnessPolicy& policy,
                                   std::chrono::system_clock::time_point now) {
  Value latest;
  SW_RETURN_IF_ERROR(
      warehouse.Query(fmt::format("SELECT max({}) FROM {}", loaded_at_field, relation_sql), {},
                      [&](const Row& row) {
                        latest = row.at(0);
                        return Status::Ok();
                      }));
  TestOutcome outcome;
  if (IsNull(latest)) {
    outcome.status = NodeStatus::kError;
    outcome.failures = 1;
    outcome.message = fmt::format("no rows: max({}) is NULL", loaded_at_field);
    return outcome;
  }
  auto loaded_at = ParseTimestamp(latest);
  if (!loaded_at)
    return Status(
        ErrorCode::kCorrupt,
        fmt::format("max({}) = '{}' is not a timestamp", loaded_at_field, ValueToString(latest)),
        "loaded_at_field must hold ISO-8601 timestamps or epoch seconds");
  auto age = std::chrono::duration_cast<std::chrono::seconds>(now - *loaded_at);
  std::string limits;
  if (policy.warn_after) limits += "warn after " + Describe(*policy.warn_after);
  if (policy.error_after)
    limits += (limits.empty() ? "" : ", ") + ("error after " + Describe(*policy.error_after));
  outcome.message =
      fmt::format("latest {} = {} is {:.1f} hours old ({})", loaded_at_field, ValueToString(latest),
                  static_cast<double>(age.count()) / 3600.0, limits);
  if (policy.error_after && age > PeriodLength(*policy.error_after)) {
    outcome.status = NodeStatus::kError;
  } else if (policy.warn_after && age > PeriodLength(*policy.warn_after)) {
    outcome.status = NodeStatus::kWarn;
  } else {
    outcome.status = NodeStatus::kPass;
  }
  outcome.failures = outcome.status == NodeStatus::kPass ? 0 : 1;
  outcome.rows_json = nlohmann::json::array({{{"max_loaded_at", ValueToString(latest)},
                                              {"age_seconds", age.count()}}})
                          .dump();
  return outcome;
}

}  // namespace silverwork::transform
