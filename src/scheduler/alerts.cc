#include "scheduler/alerts.h"

#include <fmt/format.h>

#include <initializer_list>
#include <string>
#include <utility>

#include "common/log.h"
#include "http/http_client.h"

namespace silverwork {
namespace {

using std::chrono::system_clock;

Status MissingField(const AlertEvent& event, std::string_view field) {
  return Status(ErrorCode::kInvalidInput,
                fmt::format("a {} alert needs {}", AlertKindName(event.kind), field),
                "a bug in the scheduler: fill the field before reporting the event");
}

bool IsTaskEvent(AlertKind kind) {
  return kind == AlertKind::kTaskFailed || kind == AlertKind::kLongDeferral;
}

bool IsSourceEvent(AlertKind kind) {
  return kind == AlertKind::kSourceStale || kind == AlertKind::kSourceFresh;
}

// Key components are percent-encoded so that a '/' in a name cannot make two
// events share a key.
std::string KeyOf(std::initializer_list<std::string_view> parts) {
  std::string key;
  for (std::string_view part : parts) {
    if (!key.empty()) key += '/';
    key += PercentEncode(part);
  }
  return key;
}

// "20240430T220500Z": a timestamp without characters a key would encode.
std::string CompactUtc(system_clock::time_point instant) {
  std::string compact;
  for (char ch : FormatUtcTimestamp(instant))
    if (ch != '-' && ch != ':') compact += ch;
  return compact;
}

}  // namespace

std::string_view AlertKindName(AlertKind kind) {
  switch (kind) {
    case AlertKind::kTaskFailed:
      return "task_failed";
    case AlertKind::kRunFailed:
      return "run_failed";
    case AlertKind::kDeadlineMissed:
      return "deadline_missed";
    case AlertKind::kRecovered:
      return "recovered";
    case AlertKind::kLongDeferral:
      return "long_deferral";
    case AlertKind::kSucceeded:
      return "succeeded";
    case AlertKind::kSourceStale:
      return "source_stale";
    case AlertKind::kSourceFresh:
      return "source_fresh";
  }
  return "unknown";
}

std::string_view AlertTitle(AlertKind kind) {
  switch (kind) {
    case AlertKind::kTaskFailed:
      return "작업 실패 · Task failed";
    case AlertKind::kRunFailed:
      return "실행 실패 · Run failed";
    case AlertKind::kDeadlineMissed:
      return "마감 시간 초과 · Deadline missed";
    case AlertKind::kRecovered:
      return "복구됨 · Recovered";
    case AlertKind::kLongDeferral:
      return "하루 넘게 연기됨 · Deferred for over a day";
    case AlertKind::kSucceeded:
      return "성공 · Succeeded";
    case AlertKind::kSourceStale:
      return "데이터 지연 · Source stale";
    case AlertKind::kSourceFresh:
      return "데이터 정상화 · Source fresh again";
  }
  return "알림 · Alert";
}

Status ValidateAlertEvent(const AlertEvent& event) {
  if (event.pipeline.empty()) return MissingField(event, "a pipeline");
  if (event.occurred_at == system_clock::time_point{}) return MissingField(event, "occurred_at");
  if (event.dates.last < event.dates.first) return MissingField(event, "dates with first <= last");
  if (event.kind != AlertKind::kDeadlineMissed && event.run_id.empty())
    return MissingField(event, "a run id");
  if (IsTaskEvent(event.kind) && event.task.empty()) return MissingField(event, "a task");
  if (event.kind == AlertKind::kTaskFailed && event.try_number < 1)
    return MissingField(event, "a try number");
  if (event.kind == AlertKind::kTaskFailed && event.error.ok())
    return MissingField(event, "the error");
  if (event.kind == AlertKind::kDeadlineMissed && !event.deadline)
    return MissingField(event, "the deadline");
  if (event.kind == AlertKind::kLongDeferral && !event.deferred_since)
    return MissingField(event, "deferred_since");
  if (IsSourceEvent(event.kind) && event.source.empty()) return MissingField(event, "a source");
  if (IsSourceEvent(event.kind) && !event.stale_since) return MissingField(event, "stale_since");
  return Status::Ok();
}

std::string AlertEventKey(const AlertEvent& event) {
  const std::string_view kind = AlertKindName(event.kind);
  switch (event.kind) {
    case AlertKind::kTaskFailed:
      return KeyOf(
          {kind, event.pipeline, event.run_id, event.task, std::to_string(event.try_number)});
    case AlertKind::kDeadlineMissed:
      // Per data interval: a run may not even exist when its deadline passes.
      return KeyOf({kind, event.pipeline, event.dates.first.Iso(), event.dates.last.Iso()});
    case AlertKind::kLongDeferral:
      // One task may be deferred more than once in a run, each time anew.
      return KeyOf({kind, event.pipeline, event.run_id, event.task,
                    CompactUtc(event.deferred_since.value_or(system_clock::time_point{}))});
    case AlertKind::kRunFailed:
    case AlertKind::kRecovered:
    case AlertKind::kSucceeded:
      return KeyOf({kind, event.pipeline, event.run_id});
    case AlertKind::kSourceStale:
    case AlertKind::kSourceFresh:
      // Per source and stale episode, whichever pipeline's build saw it.
      return KeyOf({kind, event.source,
                    CompactUtc(event.stale_since.value_or(system_clock::time_point{}))});
  }
  return KeyOf({kind, event.pipeline, event.run_id});
}

std::string AlertLogUrl(std::string_view base_url, const AlertEvent& event) {
  while (base_url.ends_with('/')) base_url.remove_suffix(1);
  if (base_url.empty() || event.run_id.empty()) return "";
  std::string url = std::string(base_url) + "/api/v1/runs/" + PercentEncode(event.run_id);
  if (!event.task.empty() && event.try_number > 0) {
    url += "/tasks/" + PercentEncode(event.task) + "/logs/" + std::to_string(event.try_number);
  }
  return url;
}

AlertMessage PrepareAlert(AlertEvent event, std::string_view base_url) {
  // Second line of defence: a task's error should never quote a secret, but
  // if one ever does, it must not travel to a chat channel.
  event.error = Status(event.error.code(), RedactSecrets(event.error.message()),
                       RedactSecrets(event.error.hint()));
  event.freshness = RedactSecrets(event.freshness);
  AlertMessage message;
  message.key = AlertEventKey(event);
  message.log_url = AlertLogUrl(base_url, event);
  message.event = std::move(event);
  return message;
}

std::string FormatLogicalDates(const LogicalDates& dates) {
  if (dates.first == dates.last) return dates.first.Iso();
  return fmt::format("{} ~ {} ({}일)", dates.first.Iso(), dates.last.Iso(),
                     dates.first.DaysUntil(dates.last) + 1);
}

std::string FormatAlertDuration(std::chrono::milliseconds duration) {
  using namespace std::chrono;
  const int64_t millis = duration.count();
  if (millis < 1000) return fmt::format("{}ms", millis);
  const int64_t seconds = millis / 1000;
  if (seconds < 60) return fmt::format("{}s", seconds);
  if (seconds < 3600) return fmt::format("{}m {:02}s", seconds / 60, seconds % 60);
  return fmt::format("{}h {:02}m", seconds / 3600, seconds / 60 % 60);
}

std::string AlertSummary(const AlertMessage& message) {
  const AlertEvent& event = message.event;
  std::string summary = fmt::format("[silverwork] {}: {}", AlertTitle(event.kind), event.pipeline);
  if (!event.task.empty()) summary += " › " + event.task;
  summary += " · " + FormatLogicalDates(event.dates);
  if (event.try_number > 0) {
    summary += fmt::format(" · try {}", event.try_number);
    if (event.max_tries > 0) summary += fmt::format("/{}", event.max_tries);
  }
  if (!event.error.ok()) {
    summary += fmt::format(" — {}: {}", ErrorCodeName(event.error.code()), event.error.message());
  }
  if (!event.source.empty()) summary += fmt::format(" — {}: {}", event.source, event.freshness);
  return TruncateUtf8(summary, 400);
}

std::string TruncateUtf8(std::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  static constexpr std::string_view kEllipsis = "…";
  size_t cut = max_bytes > kEllipsis.size() ? max_bytes - kEllipsis.size() : 0;
  // Back up over continuation bytes (10xxxxxx) to the start of a character.
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return std::string(text.substr(0, cut)) + std::string(kEllipsis);
}

}  // namespace silverwork
