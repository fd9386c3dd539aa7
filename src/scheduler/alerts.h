// Alert events: what the scheduler reports to people, and the message each
// becomes before a sink renders it.
//
// The scheduler fills an AlertEvent when something happens that an operator
// must hear about (a task failed on its last try, a run failed, a deadline was
// missed, a pipeline recovered, a deferral lasted over a day, a source went
// stale or became fresh again) or, when
// `[alerts] on_success` is set, a run succeeded. PrepareAlert turns it into an
// AlertMessage: free text redacted of registered secrets, a stable key that
// makes the event the same event however often it is reported (the outbox
// sends each key once per sink), and the link to the task's log. Sinks
// (alerts_sinks.h) render messages with alerts_payloads.h; the outbox
// (alerts_outbox.h) stores and the dispatcher (alerts_dispatcher.h) delivers
// them; docs/scheduler.md (section Alerts) describes the whole. Plain values
// and pure functions: thread-compatible.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "common/date.h"
#include "common/status.h"

namespace silverwork {

enum class AlertKind {
  kTaskFailed,      // a task failed on its last try
  kRunFailed,       // a run ended failed
  kDeadlineMissed,  // a run was not done `deadline` after its data interval ended
  kRecovered,       // a run succeeded after failed runs of the same pipeline
  kLongDeferral,    // a task has waited on the daily quota for over a day
  kSucceeded,       // a run succeeded (sent only with [alerts] on_success)
  kSourceStale,     // a source's freshness check warned or failed: its data is older than allowed
  kSourceFresh,     // a stale source's freshness check passed again
};

// "task_failed", "run_failed", "deadline_missed", "recovered",
// "long_deferral", "succeeded", "source_stale", "source_fresh": the `kind`
// of the webhook payload.
std::string_view AlertKindName(AlertKind kind);

// The days a run covers: one day (first == last) or an inclusive range.
struct LogicalDates {
  Date first;
  Date last;
};

struct AlertEvent {
  AlertKind kind = AlertKind::kTaskFailed;
  std::string pipeline;  // required
  std::string run_id;    // empty only for a deadline missed before any run
  LogicalDates dates;    // required
  std::string task;      // required for task events; else the task to blame, if any
  int try_number = 0;    // 1-based; 0 when no task try is concerned
  int max_tries = 0;     // 0 when unknown
  Status error;          // what failed and its hint; OK when nothing failed
  std::optional<std::chrono::milliseconds> duration;  // of the try or the run
  std::chrono::system_clock::time_point occurred_at;  // required: when it happened
  // kDeadlineMissed: by when the run should have been done (required).
  std::optional<std::chrono::system_clock::time_point> deadline;
  // kLongDeferral: since when the task has been deferred (required).
  std::optional<std::chrono::system_clock::time_point> deferred_since;
  int failures_before = 0;  // kRecovered: failed runs since the last success
  // kSourceStale, kSourceFresh (required): the source, e.g.
  // "source.silverwork.raw.raw_postings"; what its freshness check said (its
  // newest row's age and the configured limits); and since when it has been
  // stale, which names the episode: one stale and one fresh alert each.
  std::string source;
  std::string freshness;
  std::optional<std::chrono::system_clock::time_point> stale_since;
};

// An event ready to render.
struct AlertMessage {
  AlertEvent event;     // free text redacted of every registered secret
  std::string key;      // stable: the same event always has the same key
  std::string log_url;  // the task's log (or the run) on the dashboard; empty: no link
};

// kInvalidInput naming the first field an event of its kind lacks (a bug in
// the caller); OK for a complete event.
Status ValidateAlertEvent(const AlertEvent& event);

// The event's stable key, e.g.
// "task_failed/postings_daily/20240502T000000.123Z-ab12/collect_postings/3".
// Built from what identifies the event, never from when it was reported.
std::string AlertEventKey(const AlertEvent& event);

// `<base_url>/api/v1/runs/<run_id>/tasks/<task>/logs/<try>` for an event with
// a task try, `<base_url>/api/v1/runs/<run_id>` for one with a run only, and
// "" without a run or a base URL. Segments are percent-encoded.
std::string AlertLogUrl(std::string_view base_url, const AlertEvent& event);

// REQUIRES: ValidateAlertEvent(event).ok().
AlertMessage PrepareAlert(AlertEvent event, std::string_view base_url);

// Wording shared by the sinks.
// "작업 실패 · Task failed" and so on: Korean first, English after.
std::string_view AlertTitle(AlertKind kind);
// "2024-05-01" or "2024-05-01 ~ 2024-05-03 (3일)".
std::string FormatLogicalDates(const LogicalDates& dates);
// "850ms", "42s", "3m 05s", "2h 04m".
std::string FormatAlertDuration(std::chrono::milliseconds duration);
// The one-line summary: the Slack notification text and the webhook's
// `summary`, e.g. "[silverwork] 작업 실패 · Task failed: postings_daily ›
// collect_postings · 2024-05-01 · try 3/3 — network: …".
std::string AlertSummary(const AlertMessage& message);
// `text` cut to at most `max_bytes` bytes on a UTF-8 character boundary,
// with "…" (3 bytes) at the end when something was cut; the ellipsis alone
// when `max_bytes` is smaller than that.
std::string TruncateUtf8(std::string_view text, size_t max_bytes);

}  // namespace silverwork
