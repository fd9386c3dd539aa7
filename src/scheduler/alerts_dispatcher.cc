#include "scheduler/alerts_dispatcher.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <utility>

namespace silverwork {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// Due alerts read per query; a pass reads again until none is due.
constexpr int kDueBatch = 50;
// A 429 without a usable Retry-After waits at least this long.
constexpr seconds kMinRetryAfter{1};

void Add(AlertDeliveryCounts& total, const AlertDeliveryCounts& delta) {
  total.delivered += delta.delivered;
  total.failed += delta.failed;
  total.retried += delta.retried;
  total.rate_limited += delta.rate_limited;
}

}  // namespace

AlertDeliveryPolicy AlertDeliveryPolicy::FromConfig(const AlertsConfig& alerts) {
  AlertDeliveryPolicy policy;
  policy.timeout = milliseconds(alerts.timeout_ms);
  policy.max_attempts = alerts.max_attempts;
  policy.backoff_base = milliseconds(alerts.backoff_base_ms);
  policy.backoff_max = milliseconds(alerts.backoff_max_ms);
  return policy;
}

milliseconds AlertDeliveryPolicy::RateLimitWait(std::optional<seconds> retry_after,
                                                int rate_limited) const {
  const milliseconds wait = retry_after ? milliseconds(*retry_after) : BackoffAfter(rate_limited);
  return std::clamp<milliseconds>(wait, kMinRetryAfter, max_retry_after);
}

milliseconds AlertDeliveryPolicy::BackoffAfter(int failures) const {
  milliseconds wait = backoff_base;
  for (int doubling = 1; doubling < failures && wait < backoff_max; ++doubling) wait *= 2;
  return std::min(wait, backoff_max);
}

AlertDispatcher::AlertDispatcher(Warehouse& warehouse, Clock& clock,
                                 std::unique_ptr<HttpClient> http, std::vector<AlertSink> sinks,
                                 AlertDeliveryPolicy policy)
    : clock_(clock),
      http_(std::move(http)),
      sinks_(std::move(sinks)),
      policy_(std::move(policy)),
      outbox_(warehouse, clock, sinks_) {
  for (const AlertSink& sink : sinks_) sink_names_.push_back(sink.name);
}

Result<AlertDeliveryPass> AlertDispatcher::DeliverDue() {
  if (!warned_about_unconfigured_) {
    SW_RETURN_IF_ERROR(WarnAboutUnconfiguredSinks());
    warned_about_unconfigured_ = true;
  }
  AlertDeliveryPass pass;
  for (const AlertSink& sink : sinks_) SW_RETURN_IF_ERROR(DeliverToSink(sink, pass.counts));
  SW_ASSIGN_OR_RETURN(pass.next_due, outbox_.NextAttemptAt(sink_names_));
  return pass;
}

Status AlertDispatcher::DeliverUntilSettled() {
  while (true) {
    SW_ASSIGN_OR_RETURN(AlertDeliveryPass pass, DeliverDue());
    if (!pass.next_due) return Status::Ok();
    const auto wait = *pass.next_due - clock_.Now();
    if (wait > wait.zero()) clock_.SleepFor(wait);
  }
}

AlertDeliveryCounts AlertDispatcher::Counts(std::string_view sink) const {
  std::lock_guard lock(counts_mutex_);
  auto found = counts_.find(sink);
  return found == counts_.end() ? AlertDeliveryCounts{} : found->second;
}

Status AlertDispatcher::DeliverToSink(const AlertSink& sink, AlertDeliveryCounts& pass) {
  while (true) {
    SW_ASSIGN_OR_RETURN(std::vector<OutboxAlert> due, outbox_.Due(sink.name, kDueBatch));
    if (due.empty()) return Status::Ok();
    for (OutboxAlert& alert : due) {
      SW_ASSIGN_OR_RETURN(Next next, Attempt(sink, std::move(alert), pass));
      if (next == Next::kHoldSink) return Status::Ok();
    }
  }
}

Result<AlertDispatcher::Next> AlertDispatcher::Attempt(const AlertSink& sink, OutboxAlert alert,
                                                       AlertDeliveryCounts& pass) {
  Result<HttpResponse> answer =
      http_->Post(sink.url, sink.url_for_logs, "application/json; charset=utf-8", alert.payload,
                  policy_.timeout);
  ++alert.attempts;
  const DeliveryOutcome outcome = ClassifyDelivery(answer, sink);
  AlertDeliveryCounts delta;
  Next next = Next::kContinue;
  switch (outcome.verdict) {
    case DeliveryVerdict::kDelivered:
      SW_RETURN_IF_ERROR(outbox_.MarkDelivered(alert, outcome.what));
      spdlog::info("alert {} delivered to {} ({})", alert.event_key, sink.name, sink.url_for_logs);
      delta.delivered = 1;
      break;
    case DeliveryVerdict::kRejected:
      SW_RETURN_IF_ERROR(GiveUp(sink, alert, outcome.what, outcome.hint));
      delta.failed = 1;
      break;
    case DeliveryVerdict::kRateLimited: {
      SW_ASSIGN_OR_RETURN(next, OnRateLimited(sink, alert, outcome, delta));
      break;
    }
    case DeliveryVerdict::kRetry: {
      SW_ASSIGN_OR_RETURN(next, OnTransientFailure(sink, alert, outcome, delta));
      break;
    }
  }
  Add(pass, delta);
  Count(sink.name, delta);
  return next;
}

Result<AlertDispatcher::Next> AlertDispatcher::OnRateLimited(const AlertSink& sink,
                                                             OutboxAlert& alert,
                                                             const DeliveryOutcome& outcome,
                                                             AlertDeliveryCounts& delta) {
  delta.rate_limited = 1;
  if (++alert.rate_limited > policy_.max_rate_limited) {
    delta.failed = 1;
    SW_RETURN_IF_ERROR(
        GiveUp(sink, alert, fmt::format("{} ({} times)", outcome.what, alert.rate_limited),
               "the channel gets more messages than the receiver allows (Slack: about one a "
               "second); send fewer (on_success = false) or use another channel"));
    return Next::kHoldSink;
  }
  delta.retried = 1;
  return Retry(sink, alert, policy_.RateLimitWait(outcome.retry_after, alert.rate_limited),
               outcome.what);
}

Result<AlertDispatcher::Next> AlertDispatcher::OnTransientFailure(const AlertSink& sink,
                                                                  OutboxAlert& alert,
                                                                  const DeliveryOutcome& outcome,
                                                                  AlertDeliveryCounts& delta) {
  const int failures = alert.attempts - alert.rate_limited;
  if (failures >= policy_.max_attempts) {
    delta.failed = 1;
    SW_RETURN_IF_ERROR(GiveUp(
        sink, alert, fmt::format("{} (after {} tries)", outcome.what, failures),
        fmt::format("check that {} is reachable from this machine; the alert's text stays in "
                    "the table {}",
                    sink.url_for_logs, AlertOutbox::kTable)));
    return Next::kHoldSink;
  }
  delta.retried = 1;
  return Retry(sink, alert, policy_.BackoffAfter(failures), outcome.what);
}

Result<AlertDispatcher::Next> AlertDispatcher::Retry(const AlertSink& sink, OutboxAlert& alert,
                                                     milliseconds wait, const std::string& what) {
  const auto at = clock_.Now() + wait;
  SW_RETURN_IF_ERROR(outbox_.ScheduleRetry(alert, at, what));
  SW_RETURN_IF_ERROR(outbox_.HoldSink(sink.name, at));
  spdlog::warn("alert {} to {} ({}): {}; sending to it again in {} (attempt {})", alert.event_key,
               sink.name, sink.url_for_logs, what, FormatAlertDuration(wait), alert.attempts);
  return Next::kHoldSink;
}

Status AlertDispatcher::GiveUp(const AlertSink& sink, const OutboxAlert& alert,
                               const std::string& what, const std::string& hint) {
  SW_RETURN_IF_ERROR(outbox_.MarkFailed(alert, what));
  spdlog::error("alert {} to {} ({}) not delivered: {}; to fix: {}", alert.event_key, sink.name,
                sink.url_for_logs, what, hint);
  return Status::Ok();
}

Status AlertDispatcher::WarnAboutUnconfiguredSinks() {
  SW_ASSIGN_OR_RETURN(auto pending, outbox_.PendingBySink());
  for (const auto& [sink, count] : pending) {
    if (std::find(sink_names_.begin(), sink_names_.end(), sink) != sink_names_.end()) continue;
    spdlog::warn(
        "{} alert(s) wait for the {} sink, which is not configured now; they are sent "
        "once it is configured again (docs/scheduler.md, section Alerts)",
        count, sink);
  }
  return Status::Ok();
}

void AlertDispatcher::Count(const std::string& sink, const AlertDeliveryCounts& delta) {
  std::lock_guard lock(counts_mutex_);
  Add(counts_[sink], delta);
}

}  // namespace silverwork
