// SchedulerStore: pipeline flags, the scheduler lease and the request table.
#include <fmt/format.h>

#include "scheduler/scheduler_store.h"
#include "scheduler/store_rows.h"

namespace silverwork::scheduler {

using namespace store_rows;  // NOLINT(google-build-using-namespace): this file is the store

namespace {

constexpr std::string_view kLeaseName = "scheduler";

Result<LeaseHolder> DecodeLease(const Row& row) {
  LeaseHolder holder;
  holder.holder_id = AsText(row[0]);
  holder.host = AsText(row[1]);
  holder.pid = AsInteger(row[2]).value_or(0);
  SW_ASSIGN_OR_RETURN(holder.acquired_at, ParseStoreTime(AsText(row[3])));
  SW_ASSIGN_OR_RETURN(holder.renewed_at, ParseStoreTime(AsText(row[4])));
  SW_ASSIGN_OR_RETURN(holder.expires_at, ParseStoreTime(AsText(row[5])));
  return holder;
}

Status CheckRequest(const SchedulerRequest& request) {
  auto invalid = [&](std::string_view what) {
    return Status(ErrorCode::kInvalidInput,
                  fmt::format("{} request: {}", RequestKindName(request.kind), what),
                  "see docs/scheduler.md, section Requests");
  };
  if (request.pipeline.empty()) return invalid("it names no pipeline");
  if (request.kind == RequestKind::kClear && request.run_id.empty())
    return invalid("it names no run");
  if (request.kind == RequestKind::kBackfill && !request.range)
    return invalid("it has no day range");
  return Status::Ok();
}

}  // namespace

Status SchedulerStore::SetPaused(std::string_view pipeline, bool paused) {
  const TimePoint now = Now();
  const std::vector<Value> update{Integer(paused ? 1 : 0), TimeValue(now),
                                  Text(std::string(pipeline))};
  SW_ASSIGN_OR_RETURN(
      int64_t changed,
      warehouse_.ExecuteWithParams(
          fmt::format("UPDATE {} SET paused = ?, updated_at = ? WHERE pipeline = ?", kFlags),
          update));
  if (changed == 1) return Status::Ok();
  const std::vector<Value> insert{Text(std::string(pipeline)), Integer(paused ? 1 : 0),
                                  TimeValue(now)};
  return warehouse_
      .ExecuteWithParams(
          fmt::format("INSERT INTO {} (pipeline, paused, updated_at) VALUES (?, ?, ?)", kFlags),
          insert)
      .status();
}

namespace {
std::string StaleSourceKey(std::string_view source) {
  return fmt::format("scheduler.stale_source.{}", source);
}
}  // namespace

Result<std::optional<TimePoint>> SchedulerStore::SourceStaleSince(std::string_view source) {
  SW_ASSIGN_OR_RETURN(std::optional<std::string> saved,
                      warehouse_.GetState(StaleSourceKey(source)));
  if (!saved) return std::optional<TimePoint>();
  Result<TimePoint> since = ParseIsoInstant(*saved);
  if (!since.ok())
    return Status(ErrorCode::kCorrupt,
                  fmt::format("the stale-source record of {} holds '{}', not an instant", source,
                              *saved),
                  fmt::format("delete the _sw_state row '{}'; the next build's freshness check "
                              "starts the episode again",
                              StaleSourceKey(source)));
  return std::optional<TimePoint>(*since);
}

Status SchedulerStore::SetSourceStaleSince(std::string_view source,
                                           std::optional<TimePoint> since) {
  if (!since) return warehouse_.DeleteState(StaleSourceKey(source));
  return warehouse_.PutState(StaleSourceKey(source), FormatUtcTimestamp(*since));
}

Result<std::map<std::string, bool>> SchedulerStore::PausedOverrides() {
  std::map<std::string, bool> overrides;
  SW_RETURN_IF_ERROR(warehouse_.Query(
      fmt::format("SELECT pipeline, paused FROM {}", kFlags), {}, [&](const Row& row) {
        overrides[AsText(row[0])] = AsInteger(row[1]).value_or(0) != 0;
        return Status::Ok();
      }));
  return overrides;
}

Result<LeaseOutcome> SchedulerStore::AcquireLease(
    const LeaseClaim& claim, std::chrono::seconds ttl,
    const std::function<bool(const LeaseHolder&)>& holder_is_gone) {
  const TimePoint now = Now();
  // One conditional UPDATE: free (no holder), expired, or ours already. The
  // engine serializes writers to the row, so only one process can match.
  const std::string take_sql = fmt::format(
      "UPDATE {} SET holder_id = ?, host = ?, pid = ?, "
      "acquired_at = CASE WHEN holder_id = ? THEN acquired_at ELSE ? END, renewed_at = ?, "
      "expires_at = ? WHERE lease_name = ? AND ",
      kLease);
  const std::vector<Value> take{Text(claim.holder_id), OptionalText(claim.host),
                                Integer(claim.pid),    Text(claim.holder_id),
                                TimeValue(now),        TimeValue(now),
                                TimeValue(now + ttl),  Text(std::string(kLeaseName)),
                                Text(claim.holder_id), TimeValue(now)};
  SW_ASSIGN_OR_RETURN(int64_t taken,
                      warehouse_.ExecuteWithParams(
                          take_sql + "(holder_id = ? OR holder_id = '' OR expires_at <= ?)", take));
  SW_ASSIGN_OR_RETURN(std::optional<LeaseHolder> holder, CurrentLeaseHolder());
  if (taken == 0 && holder && holder_is_gone && holder_is_gone(*holder)) {
    // Taken over only from exactly the holder we saw to be gone.
    std::vector<Value> steal(take.begin(), take.end() - 2);
    steal.push_back(Text(holder->holder_id));
    steal.push_back(TimeValue(holder->expires_at));
    SW_ASSIGN_OR_RETURN(
        taken, warehouse_.ExecuteWithParams(take_sql + "holder_id = ? AND expires_at = ?", steal));
    SW_ASSIGN_OR_RETURN(holder, CurrentLeaseHolder());
  }
  if (!holder)
    return Status(ErrorCode::kInternal, "the scheduler lease row is missing",
                  "call SchedulerStore::EnsureSchema() before taking the lease");
  return LeaseOutcome{taken == 1, *holder};
}

Result<bool> SchedulerStore::RenewLease(std::string_view holder_id, std::chrono::seconds ttl) {
  const TimePoint now = Now();
  const std::vector<Value> params{TimeValue(now), TimeValue(now + ttl),
                                  Text(std::string(kLeaseName)), Text(std::string(holder_id))};
  SW_ASSIGN_OR_RETURN(
      int64_t renewed,
      warehouse_.ExecuteWithParams(fmt::format("UPDATE {} SET renewed_at = ?, expires_at = ? "
                                               "WHERE lease_name = ? AND holder_id = ?",
                                               kLease),
                                   params));
  return renewed == 1;
}

Status SchedulerStore::ReleaseLease(std::string_view holder_id) {
  const std::vector<Value> params{TimeValue({}), Text(std::string(kLeaseName)),
                                  Text(std::string(holder_id))};
  return warehouse_
      .ExecuteWithParams(fmt::format("UPDATE {} SET holder_id = '', host = NULL, pid = NULL, "
                                     "expires_at = ? WHERE lease_name = ? AND holder_id = ?",
                                     kLease),
                         params)
      .status();
}

Result<std::optional<LeaseHolder>> SchedulerStore::CurrentLeaseHolder() {
  const std::vector<Value> params{Text(std::string(kLeaseName))};
  SW_ASSIGN_OR_RETURN(
      std::vector<LeaseHolder> holders,
      QueryRecords<LeaseHolder>(
          warehouse_,
          fmt::format("SELECT holder_id, host, pid, acquired_at, renewed_at, expires_at FROM {} "
                      "WHERE lease_name = ?",
                      kLease),
          params, DecodeLease));
  if (holders.empty() || holders.front().holder_id.empty()) return std::optional<LeaseHolder>();
  return std::optional<LeaseHolder>(std::move(holders.front()));
}

Result<std::string> SchedulerStore::SubmitRequest(SchedulerRequest request) {
  SW_RETURN_IF_ERROR(CheckRequest(request));
  request.requested_at = Now();
  const bool backfill = request.kind == RequestKind::kBackfill;
  // Several processes may submit at once: an id taken between reading the
  // latest and inserting fails the primary key, and a fresh id is tried.
  Status inserted;
  for (int attempt = 0; attempt < 3; ++attempt) {
    SW_ASSIGN_OR_RETURN(request.request_id, NewIdAbove(kRequests, "request_id"));
    const std::vector<Value> row{Text(request.request_id),
                                 Text(RequestKindName(request.kind)),
                                 Text(request.pipeline),
                                 OptionalText(request.run_id),
                                 request.date ? Text(request.date->Iso()) : Value(),
                                 request.range ? Text(request.range->first.Iso()) : Value(),
                                 request.range ? Text(request.range->last.Iso()) : Value(),
                                 backfill ? Text(ReprocessModeName(request.reprocess)) : Value(),
                                 OptionalText(request.requested_by),
                                 TimeValue(request.requested_at)};
    inserted =
        warehouse_
            .ExecuteWithParams(
                fmt::format("INSERT INTO {} (request_id, kind, pipeline, run_id, trigger_day, "
                            "range_from, range_to, reprocess, requested_by, requested_at, "
                            "state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending')",
                            kRequests),
                row)
            .status();
    if (inserted.ok()) return request.request_id;
  }
  return inserted;
}

Result<std::vector<SchedulerRequest>> SchedulerStore::PendingRequests(int limit) {
  const std::vector<Value> params{Integer(std::max(0, limit))};
  return QueryRecords<SchedulerRequest>(
      warehouse_,
      fmt::format("SELECT {} FROM {} WHERE state = 'pending' ORDER BY requested_at, request_id "
                  "LIMIT ?",
                  kRequestColumns, kRequests),
      params, DecodeRequest);
}

Result<bool> SchedulerStore::AnswerRequest(std::string_view request_id, RequestState state,
                                           const std::string& message, const std::string& hint,
                                           const std::vector<std::string>& run_ids) {
  if (state == RequestState::kPending)
    return Status(ErrorCode::kInternal, "a request is answered with done or rejected",
                  "pass RequestState::kDone or kRejected");
  const std::vector<Value> params{Text(RequestStateName(state)),
                                  TimeValue(Now()),
                                  OptionalText(message),
                                  OptionalText(hint),
                                  OptionalText(JoinNames(run_ids)),
                                  Text(std::string(request_id))};
  SW_ASSIGN_OR_RETURN(
      int64_t answered,
      warehouse_.ExecuteWithParams(
          fmt::format("UPDATE {} SET state = ?, answered_at = ?, message = ?, hint = ?, "
                      "run_ids = ? WHERE request_id = ? AND state = 'pending'",
                      kRequests),
          params));
  return answered == 1;
}

Result<std::optional<SchedulerRequest>> SchedulerStore::GetRequest(std::string_view request_id) {
  const std::vector<Value> params{Text(std::string(request_id))};
  SW_ASSIGN_OR_RETURN(
      std::vector<SchedulerRequest> found,
      QueryRecords<SchedulerRequest>(
          warehouse_,
          fmt::format("SELECT {} FROM {} WHERE request_id = ?", kRequestColumns, kRequests), params,
          DecodeRequest));
  if (found.empty()) return std::optional<SchedulerRequest>();
  return std::optional<SchedulerRequest>(std::move(found.front()));
}

}  // namespace silverwork::scheduler
