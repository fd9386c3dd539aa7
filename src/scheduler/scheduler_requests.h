// RequestAnswerer: acts on the requests in `_sw_scheduler_requests` —
// trigger, backfill, clear, pause, unpause — and answers each exactly once.
//
// Each request is handled in ONE transaction with its answer: the runs it
// queues (or the run it clears, the flag it sets) and the answer commit
// together or not at all, so a scheduler killed in between finds the request
// still pending and does it once when it restarts. A request that cannot be
// done (an unknown pipeline, a day that has not ended, a day another run
// holds) changes nothing and is answered `rejected` with what to do. Only
// the lease holder answers: the scheduler on each poll, or a CLI verb that
// took the free lease briefly (docs/scheduler.md, "Requests").
//
// Thread-compatible: one answerer per warehouse connection.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "common/clock.h"
#include "scheduler/pipelines.h"
#include "scheduler/scheduler_store.h"

namespace silverwork::scheduler {

struct RequestAnswer {
  RequestState state = RequestState::kDone;
  std::string message;
  std::string hint;
  std::vector<std::string> run_ids;
};

// What a pass over the pending requests did.
struct AnsweredRequests {
  std::vector<SchedulerRequest> answered;  // as answered (state, message, run ids)
  // Pipelines that were paused or unpaused, or got runs: plan them again.
  std::set<std::string> changed_pipelines;
};

class RequestAnswerer {
 public:
  // REQUIRES: every argument outlives the answerer; the caller holds the
  // lease.
  RequestAnswerer(Warehouse& warehouse, SchedulerStore& store, const PipelinesFile& pipelines,
                  Clock& clock);
  RequestAnswerer(const RequestAnswerer&) = delete;
  RequestAnswerer& operator=(const RequestAnswerer&) = delete;

  // Answers every pending request, oldest first. An error is the
  // warehouse's; the request it was on stays pending.
  Result<AnsweredRequests> AnswerPending();

 private:
  // Does what `request` asks inside the caller's transaction. A rejection
  // is an answer, not an error.
  Result<RequestAnswer> Act(const SchedulerRequest& request);
  Result<RequestAnswer> Trigger(const SchedulerRequest& request, const PipelineSpec& pipeline);
  Result<RequestAnswer> Backfill(const SchedulerRequest& request, const PipelineSpec& pipeline);
  Result<RequestAnswer> Clear(const SchedulerRequest& request);
  Result<RequestAnswer> SetPaused(const SchedulerRequest& request, bool paused);

  Warehouse& warehouse_;
  SchedulerStore& store_;
  const PipelinesFile& pipelines_;
  Clock& clock_;
};

// "day 2025-06-30 is already running in run R" for each conflict, joined.
std::string DescribeConflicts(const std::vector<PartitionConflict>& conflicts);

}  // namespace silverwork::scheduler
