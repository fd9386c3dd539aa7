// AlertSink: one place alerts go (a Slack incoming webhook or a generic JSON
// webhook), and the rules for reading its answer to a delivery attempt.
//
// A sink's URL is a secret: it is registered with the log redactor when the
// sink is made, and everything meant for people (logs, errors, the outbox)
// shows `url_for_logs` ("hooks.slack.com/…") instead. The delivery rules are
// Slack's (/work/shared/spec/slack-webhooks.md), which suit any webhook: 2xx
// delivered; 429 wait Retry-After; 5xx, 408 and transport errors retried with
// backoff; any other answer rejected for good, with what to fix. Plain values
// and pure functions: thread-compatible.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/config.h"
#include "common/status.h"
#include "http/http_client.h"
#include "scheduler/alerts.h"

namespace silverwork {

struct AlertSink {
  std::string name;           // "slack" or "webhook": stable, stored in the outbox
  std::string url;            // the secret; never logged, stored or shown
  std::string url_for_logs;   // e.g. "hooks.slack.com/…"
  std::string configured_by;  // where an operator sets the URL, for hints
  std::string (*render)(const AlertMessage&) = nullptr;  // the POST body (JSON)
};

// A Slack incoming webhook at `url`: RenderSlackPayload.
AlertSink SlackAlertSink(std::string url);
// A generic JSON webhook at `url`: RenderWebhookPayload.
AlertSink WebhookAlertSink(std::string url);
// The sinks `alerts` configures (none, one or both, Slack first).
std::vector<AlertSink> AlertSinksFromConfig(const AlertsConfig& alerts);

// `url` reduced to its host and "/…" ("hooks.slack.com/…"): no scheme,
// credentials, path or query, which may all carry the secret.
std::string UrlForLogs(std::string_view url);

enum class DeliveryVerdict {
  kDelivered,    // 2xx
  kRetry,        // 5xx, 408, timeout, connection error: back off and retry
  kRateLimited,  // 429: wait Retry-After, then retry
  kRejected,     // anything else: retrying cannot help
};

struct DeliveryOutcome {
  DeliveryVerdict verdict = DeliveryVerdict::kDelivered;
  // kRateLimited: the answer's Retry-After in seconds, when it had a valid one.
  std::optional<std::chrono::seconds> retry_after;
  // What happened, for logs and the outbox, e.g. "HTTP 404 channel_not_found"
  // or "network: POST hooks.slack.com/… failed: Couldn't connect to server".
  // Never holds the URL.
  std::string what;
  // kRejected: what the operator should do.
  std::string hint;
};

// Reads the answer (or transport failure) of one POST to `sink`.
DeliveryOutcome ClassifyDelivery(const Result<HttpResponse>& answer, const AlertSink& sink);

}  // namespace silverwork
