// The bodies the alert sinks POST: a Slack incoming-webhook message and the
// generic JSON webhook's versioned payload (documented in docs/scheduler.md,
// section Alerts).
//
// Both are small (a few KB at most: long errors are cut, logs stay behind the
// link) and valid UTF-8 JSON even when an error message is not. Pure
// functions: thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "scheduler/alerts.h"

namespace silverwork {

// The generic webhook payload's `version`. Adding a field keeps it; renaming,
// removing or changing the meaning of one increments it.
inline constexpr int kAlertWebhookPayloadVersion = 1;

// Slack mrkdwn escaping of user text: & < > as &amp; &lt; &gt;.
std::string EscapeSlackMrkdwn(std::string_view text);

// {"text": <summary>, "blocks": [section, fields, error, context]}.
std::string RenderSlackPayload(const AlertMessage& message);

// {"version": 1, "id": <key>, "kind": ..., ...}; see docs/scheduler.md, section Alerts.
std::string RenderWebhookPayload(const AlertMessage& message);

}  // namespace silverwork
