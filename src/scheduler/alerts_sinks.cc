#include "scheduler/alerts_sinks.h"

#include <fmt/format.h>

#include <string>
#include <utility>

#include "common/log.h"
#include "scheduler/alerts_payloads.h"

namespace silverwork {
namespace {

constexpr size_t kMaxAnswerExcerptBytes = 120;

AlertSink MakeSink(std::string name, std::string url, std::string configured_by,
                   std::string (*render)(const AlertMessage&)) {
  RegisterSecret(url);
  AlertSink sink{.name = std::move(name),
                 .url = std::move(url),
                 .url_for_logs = {},
                 .configured_by = std::move(configured_by),
                 .render = render};
  sink.url_for_logs = UrlForLogs(sink.url);
  return sink;
}

void ReplaceAll(std::string& text, std::string_view from, std::string_view to) {
  if (from.empty()) return;
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
}

// The start of an answer's body (or an error) as one printable line, without
// the URL or its path: a receiver may echo the request ("404 /hooks/<token>").
std::string AnswerExcerpt(std::string body, const AlertSink& sink) {
  ReplaceAll(body, sink.url, sink.url_for_logs);
  const size_t scheme_end = sink.url.find("://");
  const size_t path_start =
      scheme_end == std::string::npos ? std::string::npos : sink.url.find('/', scheme_end + 3);
  if (path_start != std::string::npos && sink.url.size() - path_start > 1)
    ReplaceAll(body, std::string_view(sink.url).substr(path_start), "/…");
  for (char& ch : body)
    if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f) ch = ' ';
  return TruncateUtf8(body.substr(0, body.find_last_not_of(' ') + 1), kMaxAnswerExcerptBytes);
}

std::optional<std::chrono::seconds> ParseRetryAfter(const HttpResponse& response) {
  const std::string* value = response.Header("retry-after");
  if (value == nullptr || value->empty() || value->size() > 9) return std::nullopt;
  int64_t delay_seconds = 0;
  for (char ch : *value) {
    if (ch < '0' || ch > '9') return std::nullopt;  // an HTTP-date: use the backoff instead
    delay_seconds = delay_seconds * 10 + (ch - '0');
  }
  return std::chrono::seconds(delay_seconds);
}

std::string RejectionHint(int status, const AlertSink& sink) {
  if (status == 400) {
    return "the receiver rejected the message's shape: a bug in silverwork (or, for a generic "
           "webhook, a receiver expecting another payload; see docs/scheduler.md, section "
           "Alerts); report it with this line";
  }
  if (status == 401 || status == 403 || status == 404 || status == 410) {
    return fmt::format(
        "the webhook is revoked or misconfigured, or its channel is gone or archived: create a "
        "new webhook and put its URL in {}",
        sink.configured_by);
  }
  if (status >= 300 && status < 400) {
    return fmt::format("the webhook URL redirects: put the final URL in {}", sink.configured_by);
  }
  return fmt::format("unexpected answer: check that {} holds the webhook's URL",
                     sink.configured_by);
}

}  // namespace

AlertSink SlackAlertSink(std::string url) {
  return MakeSink("slack", std::move(url),
                  "SILVERWORK_SLACK_WEBHOOK_URL (or the file named by [alerts] "
                  "slack_webhook_url_file)",
                  &RenderSlackPayload);
}

AlertSink WebhookAlertSink(std::string url) {
  return MakeSink("webhook", std::move(url),
                  "SILVERWORK_ALERT_WEBHOOK_URL (or the file named by [alerts] webhook_url_file)",
                  &RenderWebhookPayload);
}

std::vector<AlertSink> AlertSinksFromConfig(const AlertsConfig& alerts) {
  std::vector<AlertSink> sinks;
  if (!alerts.slack_webhook_url.empty()) sinks.push_back(SlackAlertSink(alerts.slack_webhook_url));
  if (!alerts.webhook_url.empty()) sinks.push_back(WebhookAlertSink(alerts.webhook_url));
  return sinks;
}

std::string UrlForLogs(std::string_view url) {
  size_t scheme_end = url.find("://");
  std::string_view rest = scheme_end == std::string_view::npos ? url : url.substr(scheme_end + 3);
  std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  if (size_t at = authority.rfind('@'); at != std::string_view::npos)
    authority = authority.substr(at + 1);
  if (authority.empty()) return "(webhook)/…";
  return std::string(authority) + "/…";
}

DeliveryOutcome ClassifyDelivery(const Result<HttpResponse>& answer, const AlertSink& sink) {
  if (!answer.ok()) {
    // The client's message names url_for_logs, which is all it was given.
    return {.verdict = DeliveryVerdict::kRetry,
            .what = fmt::format("{}: {}", ErrorCodeName(answer.status().code()),
                                AnswerExcerpt(answer.status().message(), sink))};
  }
  const int status = answer->status;
  std::string what = fmt::format("HTTP {}", status);
  if (std::string excerpt = AnswerExcerpt(answer->body, sink); !excerpt.empty())
    what += " " + excerpt;
  if (status >= 200 && status < 300) return {.verdict = DeliveryVerdict::kDelivered, .what = what};
  if (status == 429) {
    return {.verdict = DeliveryVerdict::kRateLimited,
            .retry_after = ParseRetryAfter(*answer),
            .what = std::move(what)};
  }
  if (status >= 500 || status == 408) return {.verdict = DeliveryVerdict::kRetry, .what = what};
  return {.verdict = DeliveryVerdict::kRejected,
          .what = std::move(what),
          .hint = RejectionHint(status, sink)};
}

}  // namespace silverwork
