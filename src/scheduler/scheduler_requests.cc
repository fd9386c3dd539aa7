#include "scheduler/scheduler_requests.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace silverwork::scheduler {
namespace {

RequestAnswer Rejected(std::string message, std::string hint) {
  return {RequestState::kRejected, std::move(message), std::move(hint), {}};
}

RequestAnswer RejectedBy(const Status& status) { return Rejected(status.message(), status.hint()); }

std::string DaysOf(const RunPlan& plan) {
  if (plan.days.empty()) return "";
  if (plan.days.size() == 1) return plan.days.front().Iso();
  return fmt::format("{}..{} ({} days)", plan.days.front().Iso(), plan.days.back().Iso(),
                     plan.days.size());
}

// Planning errors are the request's fault (a day not ended, a bad range):
// rejections. Anything else is the warehouse's.
bool IsRequestProblem(const Status& status) {
  return status.code() == ErrorCode::kInvalidInput || status.code() == ErrorCode::kNotFound;
}

}  // namespace

std::string DescribeConflicts(const std::vector<PartitionConflict>& conflicts) {
  std::string text;
  for (const PartitionConflict& conflict : conflicts) {
    if (!text.empty()) text += "; ";
    text += fmt::format("day {} is already {} in run {}", conflict.day.Iso(),
                        PartitionStatusName(conflict.status), conflict.run_id);
  }
  return text;
}

RequestAnswerer::RequestAnswerer(Warehouse& warehouse, SchedulerStore& store,
                                 const PipelinesFile& pipelines, Clock& clock)
    : warehouse_(warehouse), store_(store), pipelines_(pipelines), clock_(clock) {}

Result<AnsweredRequests> RequestAnswerer::AnswerPending() {
  SW_ASSIGN_OR_RETURN(std::vector<SchedulerRequest> pending, store_.PendingRequests());
  AnsweredRequests done;
  for (SchedulerRequest& request : pending) {
    RequestAnswer answer;
    {
      Transaction transaction(warehouse_);
      SW_RETURN_IF_ERROR(transaction.Begin());
      SW_ASSIGN_OR_RETURN(answer, Act(request));
      if (answer.state == RequestState::kDone) {
        SW_RETURN_IF_ERROR(store_
                               .AnswerRequest(request.request_id, answer.state, answer.message,
                                              answer.hint, answer.run_ids)
                               .status());
        SW_RETURN_IF_ERROR(transaction.Commit());
      }
    }  // a rejection: whatever Act wrote is rolled back here
    if (answer.state == RequestState::kRejected) {
      SW_RETURN_IF_ERROR(
          store_.AnswerRequest(request.request_id, answer.state, answer.message, answer.hint, {})
              .status());
    }
    spdlog::info("request {} ({} {}): {}: {}", request.request_id, RequestKindName(request.kind),
                 request.pipeline, RequestStateName(answer.state), answer.message);
    if (answer.state == RequestState::kDone) done.changed_pipelines.insert(request.pipeline);
    request.state = answer.state;
    request.message = std::move(answer.message);
    request.hint = std::move(answer.hint);
    request.run_ids = std::move(answer.run_ids);
    done.answered.push_back(std::move(request));
  }
  return done;
}

Result<RequestAnswer> RequestAnswerer::Act(const SchedulerRequest& request) {
  if (request.kind == RequestKind::kClear) return Clear(request);
  const PipelineSpec* pipeline = pipelines_.Find(request.pipeline);
  if (pipeline == nullptr) {
    std::string known;
    for (const PipelineSpec& spec : pipelines_.pipelines)
      known += (known.empty() ? "" : ", ") + spec.name;
    return Rejected(fmt::format("{} has no pipeline '{}'", pipelines_.path, request.pipeline),
                    fmt::format("the pipelines are: {}", known));
  }
  switch (request.kind) {
    case RequestKind::kTrigger:
      return Trigger(request, *pipeline);
    case RequestKind::kBackfill:
      return Backfill(request, *pipeline);
    case RequestKind::kPause:
      return SetPaused(request, true);
    case RequestKind::kUnpause:
      return SetPaused(request, false);
    case RequestKind::kClear:
      break;  // handled above
  }
  return Status(ErrorCode::kInternal, "a request of an unknown kind",
                "a bug in silverwork: RequestAnswerer::Act must handle every RequestKind");
}

Result<RequestAnswer> RequestAnswerer::Trigger(const SchedulerRequest& request,
                                               const PipelineSpec& pipeline) {
  const SysSeconds now = std::chrono::floor<std::chrono::seconds>(clock_.Now());
  Result<RunPlan> plan = PlanTriggeredRun(pipeline, now, request.date, request.request_id);
  if (!plan.ok()) {
    if (!IsRequestProblem(plan.status())) return plan.status();
    return RejectedBy(plan.status());
  }
  SW_ASSIGN_OR_RETURN(QueueOutcome queued, store_.QueueRun(*plan));
  if (!queued.run_id)
    return Rejected(DescribeConflicts(queued.conflicts),
                    "a day is never queued twice; `silverwork runs show RUN_ID` shows the run "
                    "working on it");
  const std::string what = plan->days.empty() ? fmt::format("data interval {} .. {}",
                                                            FormatStoreTime(plan->interval.start),
                                                            FormatStoreTime(plan->interval.end))
                                              : DaysOf(*plan);
  return RequestAnswer{
      RequestState::kDone,
      fmt::format("queued run {} of {} for {}", *queued.run_id, pipeline.name, what),
      "",
      {*queued.run_id}};
}

Result<RequestAnswer> RequestAnswerer::Backfill(const SchedulerRequest& request,
                                                const PipelineSpec& pipeline) {
  const SysSeconds now = std::chrono::floor<std::chrono::seconds>(clock_.Now());
  SW_ASSIGN_OR_RETURN(PartitionMap partitions, store_.PartitionMapOf(pipeline.name));
  Result<BackfillPlan> plan = PlanBackfill(pipeline, *request.range, request.reprocess, partitions,
                                           now, request.request_id);
  if (!plan.ok()) {
    if (!IsRequestProblem(plan.status())) return plan.status();
    return RejectedBy(plan.status());
  }
  const size_t days = plan->days.size();
  if (plan->runs.empty())
    return RequestAnswer{
        RequestState::kDone,
        fmt::format("nothing to backfill in {}: none of the {} days needs a run with "
                    "--reprocess {}",
                    pipeline.name, days, ReprocessModeName(request.reprocess)),
        "`silverwork backfill ... --dry-run` lists each day and why; --reprocess failed or all "
        "runs days again",
        {}};
  RequestAnswer answer{RequestState::kDone, "", "", {}};
  size_t queued_days = 0;
  for (const RunPlan& run : plan->runs) {
    SW_ASSIGN_OR_RETURN(QueueOutcome queued, store_.QueueRun(run));
    if (!queued.run_id)
      return Rejected(DescribeConflicts(queued.conflicts),
                      "another run took a day meanwhile; look at `silverwork partitions` and ask "
                      "again");
    answer.run_ids.push_back(*queued.run_id);
    queued_days += run.days.size();
  }
  answer.message =
      fmt::format("queued {} of the {} days of {} in {} run{}: {}", queued_days, days,
                  pipeline.name, answer.run_ids.size(), answer.run_ids.size() == 1 ? "" : "s",
                  fmt::join(answer.run_ids, ", "));
  return answer;
}

Result<RequestAnswer> RequestAnswerer::Clear(const SchedulerRequest& request) {
  SW_ASSIGN_OR_RETURN(std::optional<RunRecord> run, store_.GetRun(request.run_id));
  if (!run || run->pipeline != request.pipeline)
    return Rejected(fmt::format("pipeline '{}' has no run {}", request.pipeline, request.run_id),
                    "`silverwork runs list --pipeline P` shows its runs");
  Result<RunRecord> cleared = store_.ClearRun(request.run_id);
  if (!cleared.ok()) {
    if (!IsRequestProblem(cleared.status())) return cleared.status();
    return RejectedBy(cleared.status());
  }
  return RequestAnswer{RequestState::kDone,
                       fmt::format("cleared run {}: its failed tasks run again", request.run_id),
                       "",
                       {request.run_id}};
}

Result<RequestAnswer> RequestAnswerer::SetPaused(const SchedulerRequest& request, bool paused) {
  SW_RETURN_IF_ERROR(store_.SetPaused(request.pipeline, paused));
  return RequestAnswer{RequestState::kDone,
                       fmt::format("{} is {}", request.pipeline, paused ? "paused" : "unpaused"),
                       paused ? "running tasks finish; nothing new starts until `silverwork "
                                "unpause` (missed days are caught up then)"
                              : "",
                       {}};
}

}  // namespace silverwork::scheduler
