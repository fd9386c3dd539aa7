// SubmitAndAwait: how the CLI's writing verbs (trigger, backfill, pause,
// unpause, runs clear) reach the scheduler.
//
// The request goes into `_sw_scheduler_requests` like serve's. Then:
//  - when no scheduler holds the lease, this process takes it for a moment
//    (holder id "cli:<host>:<pid>:..."), answers the pending requests itself
//    with the scheduler's own code (RequestAnswerer), and gives it back — so
//    `silverwork backfill ...` followed by `silverwork scheduler --once`
//    works without a scheduler running;
//  - when a scheduler holds it, the scheduler answers on its next poll; this
//    waits for the answer (re-reading the request every 200 ms) for at most
//    `wait`, and returns the request still pending if it has not come.
//
// Thread-compatible; opens its own warehouse connection.
#pragma once

#include <chrono>
#include <optional>

#include "common/clock.h"
#include "common/config.h"
#include "scheduler/pipelines.h"
#include "scheduler/scheduler_store.h"

namespace silverwork::scheduler {

struct RequestReply {
  SchedulerRequest request;  // as answered, or still pending
  // No scheduler held the lease: this process answered the request.
  bool answered_here = false;
  // The scheduler holding the lease (that answers, or will).
  std::optional<LeaseHolder> scheduler;
};

// REQUIRES: `pipelines` loaded and checked for `config` (the request is
// planned with them when answered here).
Result<RequestReply> SubmitAndAwait(const Config& config, Clock& clock,
                                    const PipelinesFile& pipelines, SchedulerRequest request,
                                    std::chrono::milliseconds wait);

}  // namespace silverwork::scheduler
