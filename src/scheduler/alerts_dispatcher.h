// AlertDispatcher: delivers the alerts waiting in the outbox to their sinks.
//
// Each pass POSTs every due alert once, oldest first, and records the
// outcome in the outbox by the rules of alerts_sinks.h: delivered; rate
// limited (the sink waits Retry-After); failed for now (the sink backs off
// exponentially, at most `max_attempts` tries per alert); or rejected (never
// retried, logged with what to fix). An undeliverable alert is logged and
// counted and never becomes an error: the only errors a pass returns are the
// warehouse's. Log lines name a sink by `url_for_logs` only. All waiting goes
// through the injected Clock, and every due time lives in the outbox, so a
// restarted dispatcher carries on where the last one stopped. A crash between
// a POST and the write recording it sends that alert again on restart (at
// least once, in that window only); the webhook payload's `id` lets a
// receiver drop such a repeat.
//
// Thread-safety: DeliverDue and DeliverUntilSettled are not thread-safe (one
// Warehouse connection, one HttpClient); Counts may be called from any
// thread, e.g. a /metrics handler.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/config.h"
#include "common/status.h"
#include "http/http_client.h"
#include "scheduler/alerts_outbox.h"
#include "scheduler/alerts_sinks.h"
#include "warehouse/warehouse.h"

namespace silverwork {

struct AlertDeliveryPolicy {
  std::chrono::milliseconds timeout{10'000};  // per POST
  int max_attempts = 10;                      // POSTs per alert not answered 429
  std::chrono::milliseconds backoff_base{5'000};
  std::chrono::milliseconds backoff_max{900'000};
  int max_rate_limited = 20;                   // 429 answers per alert before it is given up
  std::chrono::seconds max_retry_after{3600};  // a longer Retry-After is cut to this

  static AlertDeliveryPolicy FromConfig(const AlertsConfig& alerts);
  // The wait after the `failures`-th failed attempt (1-based):
  // backoff_base * 2^(failures - 1), at most backoff_max.
  std::chrono::milliseconds BackoffAfter(int failures) const;
  // The wait after the `rate_limited`-th 429: its Retry-After if it had one,
  // else the backoff; at least a second, at most max_retry_after.
  std::chrono::milliseconds RateLimitWait(std::optional<std::chrono::seconds> retry_after,
                                          int rate_limited) const;
};

struct AlertDeliveryCounts {
  int64_t delivered = 0;     // alerts delivered
  int64_t failed = 0;        // alerts given up: rejected, or out of tries
  int64_t retried = 0;       // attempts that will be retried (429s included)
  int64_t rate_limited = 0;  // 429 answers
};

struct AlertDeliveryPass {
  AlertDeliveryCounts counts;  // this pass's
  // The earliest next attempt among pending alerts of configured sinks;
  // nullopt when nothing is left to send.
  std::optional<std::chrono::system_clock::time_point> next_due;
};

class AlertDispatcher {
 public:
  AlertDispatcher(Warehouse& warehouse, Clock& clock, std::unique_ptr<HttpClient> http,
                  std::vector<AlertSink> sinks, AlertDeliveryPolicy policy = {});
  AlertDispatcher(const AlertDispatcher&) = delete;
  AlertDispatcher& operator=(const AlertDispatcher&) = delete;

  // One pass over the alerts due now; never waits except for the POSTs.
  Result<AlertDeliveryPass> DeliverDue();
  // Passes until every alert of a configured sink is delivered or given up,
  // sleeping on the clock until the next one is due in between. Blocks for
  // as long as the retries take: for `scheduler --once` and tests.
  Status DeliverUntilSettled();

  // Since this dispatcher was made; zeros for a sink it does not have.
  AlertDeliveryCounts Counts(std::string_view sink) const;

 private:
  // What one attempt asks of the rest of the pass.
  enum class Next { kContinue, kHoldSink };

  Status DeliverToSink(const AlertSink& sink, AlertDeliveryCounts& pass);
  Result<Next> Attempt(const AlertSink& sink, OutboxAlert alert, AlertDeliveryCounts& pass);
  Result<Next> OnRateLimited(const AlertSink& sink, OutboxAlert& alert,
                             const DeliveryOutcome& outcome, AlertDeliveryCounts& delta);
  Result<Next> OnTransientFailure(const AlertSink& sink, OutboxAlert& alert,
                                  const DeliveryOutcome& outcome, AlertDeliveryCounts& delta);
  Result<Next> Retry(const AlertSink& sink, OutboxAlert& alert, std::chrono::milliseconds wait,
                     const std::string& what);
  Status GiveUp(const AlertSink& sink, const OutboxAlert& alert, const std::string& what,
                const std::string& hint);
  Status WarnAboutUnconfiguredSinks();
  void Count(const std::string& sink, const AlertDeliveryCounts& delta);

  Clock& clock_;
  std::unique_ptr<HttpClient> http_;
  std::vector<AlertSink> sinks_;
  std::vector<std::string> sink_names_;
  AlertDeliveryPolicy policy_;
  AlertOutbox outbox_;
  bool warned_about_unconfigured_ = false;

  mutable std::mutex counts_mutex_;
  std::map<std::string, AlertDeliveryCounts, std::less<>> counts_;
};

}  // namespace silverwork
