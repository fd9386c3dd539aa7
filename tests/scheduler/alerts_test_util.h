// Shared pieces of the alert tests: a complete sample event of each kind, a
// capture of every log line as written by the code (before the logger's
// redaction, so a test sees what the code itself put in), and a SQLite
// warehouse file that outlives one connection (for restarts).
#pragma once

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/date.h"
#include "scheduler/alerts.h"
#include "scoped_temp_dir.h"
#include "warehouse/warehouse.h"
#include "warehouse_under_test.h"

namespace silverwork::testing {

using namespace std::chrono_literals;

// 2024-05-02T00:05:00Z, 09:05 in Korea.
inline std::chrono::system_clock::time_point SampleNow() {
  return std::chrono::sys_days(std::chrono::year(2024) / 5 / 2) + 5min;
}

inline const std::vector<AlertKind>& AllAlertKinds() {
  static const std::vector<AlertKind> kinds = {AlertKind::kTaskFailed,     AlertKind::kRunFailed,
                                               AlertKind::kDeadlineMissed, AlertKind::kRecovered,
                                               AlertKind::kLongDeferral,   AlertKind::kSucceeded,
                                               AlertKind::kSourceStale,    AlertKind::kSourceFresh};
  return kinds;
}

// A complete event of `kind`, as the scheduler would report it.
inline AlertEvent SampleEvent(AlertKind kind) {
  AlertEvent event;
  event.kind = kind;
  event.pipeline = "postings_daily";
  event.run_id = "20240502T000000.123Z-ab12";
  event.dates = {Date::FromYmd(2024, 5, 1), Date::FromYmd(2024, 5, 1)};
  event.occurred_at = SampleNow();
  switch (kind) {
    case AlertKind::kTaskFailed:
    case AlertKind::kRunFailed:
      event.task = "collect_postings";
      event.try_number = 3;
      event.max_tries = 3;
      event.duration = 65s;
      event.error =
          Status(ErrorCode::kNetwork, "GET apis.data.go.kr/… failed: Timeout was reached",
                 "the service did not answer in time; it is retried, or raise the timeout");
      break;
    case AlertKind::kDeadlineMissed:
      event.run_id.clear();
      event.deadline = SampleNow() - 2h;
      break;
    case AlertKind::kRecovered:
      event.duration = 42s;
      event.failures_before = 2;
      break;
    case AlertKind::kLongDeferral:
      event.task = "collect_postings";
      event.deferred_since = SampleNow() - 26h;
      event.error = Status(ErrorCode::kQuotaExhausted, "daily quota spent (code 22)",
                           "it resumes after 00:00 KST");
      break;
    case AlertKind::kSucceeded:
      event.duration = 3min;
      break;
    case AlertKind::kSourceStale:
    case AlertKind::kSourceFresh:
      event.task = "build";
      event.try_number = 1;
      event.max_tries = 2;
      event.source = "source.silverwork.raw.raw_postings";
      event.freshness =
          "latest _loaded_at = 2024-05-01T20:00:00Z is 4.1 hours old (warn after 3 hours, error "
          "after 1 day)";
      event.stale_since = SampleNow() - (kind == AlertKind::kSourceFresh ? 5h : 0h);
      break;
  }
  return event;
}

// Captures every log line for its lifetime, as formatted by the caller and
// before any redaction. Not for use across threads that outlive it.
class LogCapture {
 public:
  LogCapture() : previous_(spdlog::default_logger()) {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(stream_);
    auto logger = std::make_shared<spdlog::logger>("capture", sink);
    logger->set_level(spdlog::level::trace);
    logger->set_pattern("%l %v");
    spdlog::set_default_logger(logger);
  }
  ~LogCapture() { spdlog::set_default_logger(previous_); }
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;

  std::string text() const {
    spdlog::default_logger()->flush();
    return stream_.str();
  }

 private:
  std::shared_ptr<spdlog::logger> previous_;
  std::ostringstream stream_;
};

// A warehouse of the engine under test (EngineFromEnvironment); Open()
// gives a new connection to it each time, as a restarted scheduler would
// have.
class WarehouseFile {
 public:
  std::unique_ptr<Warehouse> Open() const { return place_.Open(); }

 private:
  WarehouseUnderTest place_{EngineFromEnvironment()};
};

// Every value of every row of `table`, as text, for "never stored" checks.
inline std::string TableText(Warehouse& warehouse, const std::string& table) {
  auto rows = warehouse.QueryAll("SELECT * FROM " + table);
  EXPECT_TRUE(rows.ok()) << rows.status().ToString();
  std::string text;
  if (!rows.ok()) return text;
  for (const Row& row : rows->rows)
    for (const Value& value : row) text += ValueToString(value) + "\n";
  return text;
}

}  // namespace silverwork::testing
