#include "scheduler/request_client.h"

#include <fmt/format.h>
#include <unistd.h>

#include "scheduler/process_info.h"
#include "scheduler/scheduler_requests.h"

namespace silverwork::scheduler {
namespace {

using std::chrono::milliseconds;

// Long enough to answer a few requests; a CLI that dies holding the lease
// is taken over at once on its host (its pid is gone), elsewhere after this.
constexpr std::chrono::seconds kCliLeaseTtl{30};
constexpr milliseconds kAnswerPoll{200};

LeaseClaim CliClaim(RandomSource& random) {
  const std::string host = ThisHostName();
  const auto nonce = static_cast<uint32_t>(random.NextUnit() * 4294967296.0);
  return {fmt::format("cli:{}:{}:{:08x}", host, getpid(), nonce), host, getpid()};
}

Result<SchedulerRequest> Reread(SchedulerStore& store, const std::string& request_id) {
  SW_ASSIGN_OR_RETURN(std::optional<SchedulerRequest> found, store.GetRequest(request_id));
  if (!found)
    return Status(ErrorCode::kNotFound, fmt::format("request {} vanished", request_id),
                  "someone removed it from _sw_scheduler_requests; submit it again");
  return std::move(*found);
}

}  // namespace

Result<RequestReply> SubmitAndAwait(const Config& config, Clock& clock,
                                    const PipelinesFile& pipelines, SchedulerRequest request,
                                    milliseconds wait) {
  SW_ASSIGN_OR_RETURN(
      std::unique_ptr<Warehouse> warehouse,
      OpenWarehouse({.engine = config.warehouse_engine, .location = config.warehouse_path}));
  SeededRandom random;
  SchedulerStore store(*warehouse, clock, random);
  SW_RETURN_IF_ERROR(store.EnsureSchema());
  request.requested_by = "cli";
  SW_ASSIGN_OR_RETURN(const std::string request_id, store.SubmitRequest(std::move(request)));

  RequestReply reply;
  const LeaseClaim claim = CliClaim(random);
  auto holder_is_gone = [&claim](const LeaseHolder& holder) {
    return holder.host == claim.host && !SameProcessAlive(static_cast<pid_t>(holder.pid), "");
  };
  SW_ASSIGN_OR_RETURN(LeaseOutcome lease, store.AcquireLease(claim, kCliLeaseTtl, holder_is_gone));
  if (lease.acquired) {
    RequestAnswerer answerer(*warehouse, store, pipelines, clock);
    Result<AnsweredRequests> answered = answerer.AnswerPending();
    Status released = store.ReleaseLease(claim.holder_id);
    if (!answered.ok()) return answered.status();
    SW_RETURN_IF_ERROR(released);
    reply.answered_here = true;
    SW_ASSIGN_OR_RETURN(reply.request, Reread(store, request_id));
    return reply;
  }
  reply.scheduler = lease.holder;
  const auto give_up_at = clock.Monotonic() + wait;
  for (;;) {
    SW_ASSIGN_OR_RETURN(reply.request, Reread(store, request_id));
    if (reply.request.state != RequestState::kPending || clock.Monotonic() >= give_up_at)
      return reply;
    clock.SleepFor(kAnswerPoll);
  }
}

}  // namespace silverwork::scheduler
