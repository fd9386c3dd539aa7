#include "scheduler/alerts_payloads.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace silverwork {
namespace {

using nlohmann::json;

// Slack caps a section's text at 3000 characters and a field at 2000; these
// stay well inside, counted in bytes after escaping.
constexpr size_t kMaxErrorBytes = 1500;
constexpr size_t kMaxHintBytes = 600;
constexpr size_t kMaxFieldBytes = 300;

std::string_view KindEmoji(AlertKind kind) {
  switch (kind) {
    case AlertKind::kTaskFailed:
    case AlertKind::kRunFailed:
      return "🔴";
    case AlertKind::kDeadlineMissed:
      return "⏰";
    case AlertKind::kRecovered:
      return "✅";
    case AlertKind::kLongDeferral:
      return "⏸️";
    case AlertKind::kSucceeded:
      return "🟢";
    case AlertKind::kSourceStale:
      return "🟠";
    case AlertKind::kSourceFresh:
      return "🟢";
  }
  return "🔔";
}

// Escaped, then cut to `max_bytes` without splitting an entity or a character.
std::string Mrkdwn(std::string_view text, size_t max_bytes) {
  std::string escaped = EscapeSlackMrkdwn(text);
  if (escaped.size() <= max_bytes) return escaped;
  std::string cut = TruncateUtf8(escaped, max_bytes);
  // An entity cut in half ("&am…") would show as garbage: drop its start.
  size_t amp = cut.rfind('&');
  if (amp != std::string::npos && cut.find(';', amp) == std::string::npos)
    cut = cut.substr(0, amp) + "…";
  return cut;
}

json MrkdwnText(std::string text) { return {{"type", "mrkdwn"}, {"text", std::move(text)}}; }

json Field(std::string_view label, std::string_view value) {
  return MrkdwnText(fmt::format("*{}*\n{}", label, Mrkdwn(value, kMaxFieldBytes)));
}

json FieldsBlock(const AlertMessage& message) {
  const AlertEvent& event = message.event;
  json fields = json::array();
  fields.push_back(Field("파이프라인 Pipeline", event.pipeline));
  fields.push_back(Field("논리 날짜 Logical date", FormatLogicalDates(event.dates)));
  if (!event.task.empty()) fields.push_back(Field("작업 Task", event.task));
  if (event.try_number > 0) {
    std::string tries = std::to_string(event.try_number);
    if (event.max_tries > 0) tries += " / " + std::to_string(event.max_tries);
    fields.push_back(Field("시도 Try", tries));
  }
  if (event.duration)
    fields.push_back(Field("소요 시간 Duration", FormatAlertDuration(*event.duration)));
  if (event.deadline)
    fields.push_back(Field("마감 Deadline", FormatKoreaTimestamp(*event.deadline)));
  if (event.deferred_since) {
    fields.push_back(
        Field("연기 시작 Deferred since", FormatKoreaTimestamp(*event.deferred_since)));
  }
  if (event.kind == AlertKind::kRecovered) {
    fields.push_back(Field("이전 실패 Failed runs before", std::to_string(event.failures_before)));
  }
  if (!event.source.empty()) fields.push_back(Field("소스 Source", event.source));
  if (!event.freshness.empty()) fields.push_back(Field("신선도 Freshness", event.freshness));
  if (event.stale_since)
    fields.push_back(Field("지연 시작 Stale since", FormatKoreaTimestamp(*event.stale_since)));
  if (!event.run_id.empty()) fields.push_back(Field("실행 Run", event.run_id));
  return {{"type", "section"}, {"fields", std::move(fields)}};
}

json ErrorBlock(const Status& error) {
  std::string text = fmt::format("*오류 Error* ({})\n{}", ErrorCodeName(error.code()),
                                 Mrkdwn(error.message(), kMaxErrorBytes));
  if (!error.hint().empty()) text += "\n*조치 To fix* " + Mrkdwn(error.hint(), kMaxHintBytes);
  return {{"type", "section"}, {"text", MrkdwnText(std::move(text))}};
}

json ContextBlock(const AlertMessage& message) {
  json elements = json::array();
  // The link's URL is built from percent-encoded parts and a base URL the
  // config checked for < > |, so it needs no escaping.
  if (!message.log_url.empty()) {
    const bool task_log = message.event.try_number > 0 && !message.event.task.empty();
    elements.push_back(MrkdwnText(fmt::format(
        "<{}|{}>", message.log_url, task_log ? "로그 보기 · View log" : "실행 보기 · View run")));
  }
  elements.push_back(MrkdwnText("silverwork · " + FormatKoreaTimestamp(message.event.occurred_at)));
  return {{"type", "context"}, {"elements", std::move(elements)}};
}

// Invalid UTF-8 (an error message quoting a binary answer) becomes U+FFFD
// instead of failing the dump.
std::string Dump(const json& payload) {
  return payload.dump(-1, ' ', false, json::error_handler_t::replace);
}

// "quota exhausted" as "quota_exhausted": one token for receivers to match.
std::string ErrorCategoryId(ErrorCode code) {
  std::string id = ErrorCodeName(code);
  std::replace(id.begin(), id.end(), ' ', '_');
  return id;
}

json OptionalTime(const std::optional<std::chrono::system_clock::time_point>& instant) {
  return instant ? json(FormatUtcTimestamp(*instant)) : json(nullptr);
}

}  // namespace

std::string EscapeSlackMrkdwn(std::string_view text) {
  std::string escaped;
  escaped.reserve(text.size());
  for (char ch : text) {
    switch (ch) {
      case '&':
        escaped += "&amp;";
        break;
      case '<':
        escaped += "&lt;";
        break;
      case '>':
        escaped += "&gt;";
        break;
      default:
        escaped += ch;
    }
  }
  return escaped;
}

std::string RenderSlackPayload(const AlertMessage& message) {
  const AlertEvent& event = message.event;
  std::string headline = fmt::format("{} *{}*\n*{}*", KindEmoji(event.kind), AlertTitle(event.kind),
                                     Mrkdwn(event.pipeline, kMaxFieldBytes));
  if (!event.task.empty()) headline += " › `" + Mrkdwn(event.task, kMaxFieldBytes) + "`";
  json blocks = json::array();
  blocks.push_back({{"type", "section"}, {"text", MrkdwnText(std::move(headline))}});
  blocks.push_back(FieldsBlock(message));
  if (!event.error.ok()) blocks.push_back(ErrorBlock(event.error));
  blocks.push_back(ContextBlock(message));
  json payload = {{"text", fmt::format("{} {}", KindEmoji(event.kind),
                                       EscapeSlackMrkdwn(AlertSummary(message)))},
                  {"blocks", std::move(blocks)}};
  return Dump(payload);
}

std::string RenderWebhookPayload(const AlertMessage& message) {
  const AlertEvent& event = message.event;
  auto text_or_null = [](const std::string& text) {
    return text.empty() ? json(nullptr) : json(text);
  };
  auto positive_or_null = [](int number) { return number > 0 ? json(number) : json(nullptr); };
  json error = nullptr;
  if (!event.error.ok()) {
    error = {{"category", ErrorCategoryId(event.error.code())},
             {"message", TruncateUtf8(event.error.message(), 4 * kMaxErrorBytes)},
             {"hint", TruncateUtf8(event.error.hint(), 4 * kMaxHintBytes)}};
  }
  json payload = {
      {"version", kAlertWebhookPayloadVersion},
      {"source", "silverwork"},
      {"id", message.key},
      {"kind", AlertKindName(event.kind)},
      {"title", AlertTitle(event.kind)},
      {"summary", AlertSummary(message)},
      {"occurred_at", FormatUtcTimestamp(event.occurred_at)},
      {"pipeline", event.pipeline},
      {"run_id", text_or_null(event.run_id)},
      {"logical_dates", {{"first", event.dates.first.Iso()}, {"last", event.dates.last.Iso()}}},
      {"task", text_or_null(event.task)},
      {"try", positive_or_null(event.try_number)},
      {"max_tries", positive_or_null(event.max_tries)},
      {"duration_ms", event.duration ? json(event.duration->count()) : json(nullptr)},
      {"error", std::move(error)},
      {"log_url", text_or_null(message.log_url)},
      {"deadline", OptionalTime(event.deadline)},
      {"deferred_since", OptionalTime(event.deferred_since)},
      {"failures_before",
       event.kind == AlertKind::kRecovered ? json(event.failures_before) : json(nullptr)},
      {"data_source", text_or_null(event.source)},
      {"freshness", text_or_null(event.freshness)},
      {"stale_since", OptionalTime(event.stale_since)},
  };
  return Dump(payload);
}

}  // namespace silverwork
