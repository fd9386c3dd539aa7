// AlertOutbox: the warehouse table `_sw_alert_outbox`, where every alert
// waits until it is delivered or given up, one row per event and sink.
//
// Enqueueing is how the scheduler reports an event: the row is keyed by the
// event's stable key and the sink, so reporting the same event again — after
// a restart, say — is a no-op, and an alert not yet delivered survives a
// crash. Called inside the caller's transaction, the alert commits together
// with the state change it reports. The dispatcher (alerts_dispatcher.h)
// reads due rows and records each attempt. Rows keep the rendered payload
// and what happened, never a webhook URL. Portable SQL through the Warehouse
// interface (ON CONFLICT ... DO NOTHING is spelled alike in SQLite and
// PostgreSQL).
//
// Thread-safety: not thread-safe, like the Warehouse connection it uses. The
// scheduler and a dispatcher on another thread each use their own outbox
// over their own connection.
#pragma once

#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "scheduler/alerts.h"
#include "scheduler/alerts_sinks.h"
#include "warehouse/warehouse.h"

namespace silverwork {

// One alert for one sink, as the dispatcher works on it.
struct OutboxAlert {
  std::string event_key;
  std::string sink;
  std::string kind;
  std::string payload;   // the POST body, rendered when enqueued
  int attempts = 0;      // POSTs made so far
  int rate_limited = 0;  // of which answered 429
};

// How many alerts of one sink are in one status (pending, delivered, failed).
struct OutboxStatusCount {
  std::string sink;
  std::string status;
  int64_t alerts = 0;
};

struct AlertOutboxOptions {
  std::string base_url;     // [alerts] base_url: the dashboard, for log links
  bool on_success = false;  // [alerts] on_success: queue kSucceeded events too
  // [alerts] on_stale_source: queue kSourceStale and kSourceFresh events.
  bool on_stale_source = true;
};

class AlertOutbox {
 public:
  static constexpr std::string_view kTable = "_sw_alert_outbox";

  // `sinks` are the sinks an enqueued event is rendered for; the dispatcher
  // passes its own.
  AlertOutbox(Warehouse& warehouse, Clock& clock, std::vector<AlertSink> sinks,
              AlertOutboxOptions options = {});
  AlertOutbox(const AlertOutbox&) = delete;
  AlertOutbox& operator=(const AlertOutbox&) = delete;

  // Queues `event` once for each sink: renders it and inserts a row unless
  // that event's key is already queued (or was sent) for that sink. Returns
  // how many rows were new: 0 for a repeat, for a success event without
  // on_success, and when no sink is configured. kInvalidInput for an event
  // missing a field its kind needs. Joins the caller's open transaction, if
  // any; otherwise commits its rows together.
  Result<int> Enqueue(const AlertEvent& event);

  // Pending alerts of `sink` whose next attempt is due now, oldest first.
  Result<std::vector<OutboxAlert>> Due(std::string_view sink, int limit);
  // The earliest next attempt among the pending alerts of `sinks`.
  Result<std::optional<std::chrono::system_clock::time_point>> NextAttemptAt(
      std::span<const std::string> sinks);
  // Pending alerts per sink, for every sink that has some.
  Result<std::vector<std::pair<std::string, int64_t>>> PendingBySink();
  // Alerts per sink and status (serve's /metrics: deliveries and failures);
  // empty before the first alert.
  Result<std::vector<OutboxStatusCount>> CountByStatus();

  // Record an attempt's end. `alert` carries the updated attempt counts;
  // `outcome` says what happened (no URL).
  Status MarkDelivered(const OutboxAlert& alert, std::string_view outcome);
  Status MarkFailed(const OutboxAlert& alert, std::string_view outcome);
  Status ScheduleRetry(const OutboxAlert& alert, std::chrono::system_clock::time_point at,
                       std::string_view outcome);
  // Moves every pending alert of `sink` due before `until` to `until`: after
  // a 429 or an outage the whole sink waits, not only the alert that saw it.
  Status HoldSink(std::string_view sink, std::chrono::system_clock::time_point until);

 private:
  Status EnsureTable();
  Result<int> InsertRows(const AlertMessage& message);
  Status Finish(const OutboxAlert& alert, std::string_view status,
                std::optional<std::chrono::system_clock::time_point> next_attempt,
                std::string_view outcome);

  Warehouse& warehouse_;
  Clock& clock_;
  std::vector<AlertSink> sinks_;
  AlertOutboxOptions options_;
};

}  // namespace silverwork
