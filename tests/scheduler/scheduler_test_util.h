// Helpers shared by the scheduler tests: instants written as text, zones
// from the system database, and a RandomSource that returns set values.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <deque>
#include <memory>
#include <string>

#include "common/date.h"
#include "scheduler/scheduler_store.h"
#include "scheduler/task_state.h"
#include "scheduler/time_zone.h"

namespace silverwork::scheduler {

// "2026-03-08T07:00:00Z" -> instant (whole seconds).
inline SysSeconds Utc(const std::string& text) {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  EXPECT_EQ(
      std::sscanf(text.c_str(), "%d-%d-%dT%d:%d:%d", &year, &month, &day, &hour, &minute, &second),
      6)
      << text;
  const std::chrono::year_month_day ymd{std::chrono::year(year),
                                        std::chrono::month(static_cast<unsigned>(month)),
                                        std::chrono::day(static_cast<unsigned>(day))};
  return SysSeconds(std::chrono::sys_days(ymd)) + std::chrono::hours(hour) +
         std::chrono::minutes(minute) + std::chrono::seconds(second);
}

// "2026-03-08T02:30:00" as a wall time.
inline LocalSeconds Local(const std::string& text) {
  return LocalSeconds(Utc(text + "Z").time_since_epoch());
}

// Instant -> "2026-03-08T07:00:00Z", for readable failures.
inline std::string Text(SysSeconds instant) {
  const auto day = std::chrono::floor<std::chrono::days>(instant);
  const std::chrono::year_month_day ymd(day);
  const std::chrono::hh_mm_ss<std::chrono::seconds> time(instant - day);
  char text[32];
  std::snprintf(text, sizeof text, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(time.hours().count()), static_cast<int>(time.minutes().count()),
                static_cast<int>(time.seconds().count()));
  return text;
}

inline std::shared_ptr<const TimeZone> Zone(const std::string& name) {
  static const TimeZoneDatabase database;
  auto zone = database.Find(name);
  EXPECT_TRUE(zone.ok()) << zone.status().ToString();
  return zone.ok() ? *zone : TimeZone::Utc();
}

inline Date Day(const std::string& iso) { return *Date::Parse(iso); }

// day -> status name for the pipeline: "2026-11-24=success 2026-11-25=queued".
inline std::string DayStatuses(SchedulerStore& store, const std::string& pipeline) {
  auto days = store.ListPartitions(pipeline);
  EXPECT_TRUE(days.ok());
  std::string out;
  for (const PartitionRecord& day : *days)
    out += (out.empty() ? "" : " ") + day.day.Iso() + "=" + PartitionStatusName(day.status);
  return out;
}

// Returns the queued values in turn, then `fallback`.
class ScriptedRandom final : public RandomSource {
 public:
  explicit ScriptedRandom(double fallback = 0.5) : fallback_(fallback) {}
  void Push(double value) { values_.push_back(value); }
  double NextUnit() override {
    if (values_.empty()) return fallback_;
    double value = values_.front();
    values_.pop_front();
    return value;
  }

 private:
  std::deque<double> values_;
  double fallback_;
};

}  // namespace silverwork::scheduler
