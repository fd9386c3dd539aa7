// SchedulerStore: the schema, queueing runs and claiming their days, and the
// reads.
#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>

#include "scheduler/scheduler_store.h"
#include "scheduler/store_rows.h"

namespace silverwork::scheduler {

using namespace store_rows;  // NOLINT(google-build-using-namespace): this file is the store

namespace {

constexpr std::string_view kActiveStatuses = "('queued', 'running', 'deferred')";

Status CheckPlan(const RunPlan& plan) {
  if (plan.pipeline.empty() || plan.tasks.empty())
    return Status(ErrorCode::kInternal, "a run plan needs a pipeline and at least one task",
                  "plan runs with the functions of run_planner.h");
  for (size_t i = 1; i < plan.days.size(); ++i)
    if (!(plan.days[i - 1] < plan.days[i]))
      return Status(ErrorCode::kInternal, "a run plan's days must ascend without repeats",
                    "plan runs with the functions of run_planner.h");
  return Status::Ok();
}

}  // namespace

SchedulerStore::SchedulerStore(Warehouse& warehouse, Clock& clock, RandomSource& random)
    : warehouse_(warehouse), clock_(clock), random_(random) {}

Status SchedulerStore::EnsureSchema() {
  for (const TableSpec& table : Tables()) SW_RETURN_IF_ERROR(warehouse_.EnsureTable(table));
  for (const std::string& index : Indexes()) SW_RETURN_IF_ERROR(warehouse_.Execute(index));
  // The lease row always exists, so that taking the lease is one
  // conditional UPDATE. Two processes creating it at once: one INSERT
  // fails on the primary key and finds the row the other wrote.
  const std::string exists_sql = fmt::format("SELECT 1 FROM {} WHERE lease_name = ?", kLease);
  const std::vector<Value> name{Text("scheduler")};
  SW_ASSIGN_OR_RETURN(QueryResult found, warehouse_.QueryAll(exists_sql, name));
  if (!found.rows.empty()) return Status::Ok();
  const std::vector<Value> row{Text("scheduler"), Text(""), TimeValue({}), TimeValue({}),
                               TimeValue({})};
  auto inserted = warehouse_.ExecuteWithParams(
      fmt::format("INSERT INTO {} (lease_name, holder_id, acquired_at, renewed_at, expires_at) "
                  "VALUES (?, ?, ?, ?, ?)",
                  kLease),
      row);
  if (inserted.ok()) return Status::Ok();
  SW_ASSIGN_OR_RETURN(found, warehouse_.QueryAll(exists_sql, name));
  return found.rows.empty() ? inserted.status() : Status::Ok();
}

Result<bool> SchedulerStore::HasSchema() {
  for (const TableSpec& table : Tables()) {
    SW_ASSIGN_OR_RETURN(bool exists, warehouse_.TableExists(table.name));
    if (!exists) return false;
  }
  return true;
}

Result<std::string> SchedulerStore::NewIdAbove(std::string_view table, std::string_view column) {
  std::string stamp;
  for (char ch : FormatStoreTime(Now()))
    if (ch != '-' && ch != ':') stamp.push_back(ch);
  const auto suffix = static_cast<uint32_t>(random_.NextUnit() * 4294967296.0);
  std::string candidate = fmt::format("{}-{:08x}", stamp, suffix);
  SW_ASSIGN_OR_RETURN(QueryResult latest_row,
                      warehouse_.QueryAll(fmt::format("SELECT MAX({}) FROM {}", column, table)));
  const std::string latest = latest_row.rows.empty() ? "" : AsText(latest_row.rows[0][0]);
  if (candidate > latest) return candidate;
  const size_t dash = latest.rfind('-');
  uint32_t latest_suffix = 0;
  if (dash != std::string::npos && latest.size() - dash == 9 &&
      std::sscanf(latest.c_str() + dash + 1, "%8x", &latest_suffix) == 1 &&
      latest_suffix < UINT32_MAX)
    return fmt::format("{}-{:08x}", latest.substr(0, dash), latest_suffix + 1);
  return latest + "0";
}

Result<QueueOutcome> SchedulerStore::QueueRun(const RunPlan& plan) {
  SW_RETURN_IF_ERROR(CheckPlan(plan));
  WriteScope transaction(warehouse_);
  SW_RETURN_IF_ERROR(transaction.Begin());
  const TimePoint now = Now();
  QueueOutcome outcome;
  SW_ASSIGN_OR_RETURN(const std::string run_id, NewIdAbove(kRuns, "run_id"));
  SW_ASSIGN_OR_RETURN(outcome.conflicts, ClaimDays(run_id, plan, now));
  if (!outcome.conflicts.empty()) return outcome;  // the transaction rolls back

  const bool partitioned = !plan.days.empty();
  const std::vector<Value> run_row{Text(run_id),
                                   Text(plan.pipeline),
                                   Text(RunKindName(plan.kind)),
                                   TimeValue(plan.logical_time),
                                   TimeValue(plan.interval.start),
                                   TimeValue(plan.interval.end),
                                   partitioned ? Text(plan.days.front().Iso()) : Value(),
                                   partitioned ? Text(plan.days.back().Iso()) : Value(),
                                   Integer(static_cast<int64_t>(plan.days.size())),
                                   Text(RunStateName(RunState::kQueued)),
                                   TimeValue(now),
                                   plan.deadline_at ? TimeValue(*plan.deadline_at) : Value(),
                                   OptionalText(plan.request_id),
                                   TimeValue(now)};
  SW_RETURN_IF_ERROR(
      warehouse_
          .ExecuteWithParams(
              fmt::format("INSERT INTO {} (run_id, pipeline, kind, logical_time, interval_start, "
                          "interval_end, partition_from, partition_to, partition_count, state, "
                          "queued_at, deadline_at, request_id, updated_at) "
                          "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                          kRuns),
              run_row)
          .status());
  SW_RETURN_IF_ERROR(InsertTaskInstances(run_id, plan, now));
  SW_RETURN_IF_ERROR(transaction.Commit());
  outcome.run_id = run_id;
  return outcome;
}

Result<std::vector<PartitionConflict>> SchedulerStore::ClaimDays(const std::string& run_id,
                                                                 const RunPlan& plan,
                                                                 TimePoint now) {
  const std::string claim_sql = fmt::format(
      "UPDATE {} SET status = 'queued', run_id = ?, updated_at = ? "
      "WHERE pipeline = ? AND day = ? AND status NOT IN {}",
      kPartitions, kActiveStatuses);
  const std::string holder_sql =
      fmt::format("SELECT status, run_id FROM {} WHERE pipeline = ? AND day = ?", kPartitions);
  const std::string insert_sql = fmt::format(
      "INSERT INTO {} (pipeline, day, status, run_id, updated_at) VALUES (?, ?, 'queued', ?, ?)",
      kPartitions);
  std::vector<PartitionConflict> conflicts;
  for (Date day : plan.days) {
    const std::vector<Value> claim{Text(run_id), TimeValue(now), Text(plan.pipeline),
                                   Text(day.Iso())};
    SW_ASSIGN_OR_RETURN(int64_t claimed, warehouse_.ExecuteWithParams(claim_sql, claim));
    if (claimed == 1) continue;
    const std::vector<Value> key{Text(plan.pipeline), Text(day.Iso())};
    SW_ASSIGN_OR_RETURN(QueryResult holder, warehouse_.QueryAll(holder_sql, key));
    if (!holder.rows.empty()) {
      SW_ASSIGN_OR_RETURN(PartitionStatus status, ParsePartitionStatus(AsText(holder.rows[0][0])));
      conflicts.push_back({day, status, AsText(holder.rows[0][1])});
      continue;
    }
    // A new day: the primary key refuses a second INSERT of it.
    const std::vector<Value> row{Text(plan.pipeline), Text(day.Iso()), Text(run_id),
                                 TimeValue(now)};
    SW_RETURN_IF_ERROR(warehouse_.ExecuteWithParams(insert_sql, row).status());
  }
  return conflicts;
}

Status SchedulerStore::InsertTaskInstances(const std::string& run_id, const RunPlan& plan,
                                           TimePoint now) {
  const std::string sql = fmt::format(
      "INSERT INTO {} (run_id, task, pipeline, kind, task_order, upstream, retries, retry_delay_s, "
      "retry_backoff, max_retry_delay_s, timeout_s, state, try_number, failures, updated_at) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, ?)",
      kTaskInstances);
  for (size_t position = 0; position < plan.tasks.size(); ++position) {
    const TaskPlan& task = plan.tasks[position];
    const RetryPolicy& retry = task.retry;
    const TaskState state = task.upstream.empty() ? TaskState::kQueued : TaskState::kWaiting;
    const std::vector<Value> row{Text(run_id),
                                 Text(task.name),
                                 Text(plan.pipeline),
                                 Text(TaskKindName(task.kind)),
                                 Integer(static_cast<int64_t>(position)),
                                 Text(JoinNames(task.upstream)),
                                 Integer(retry.retries),
                                 Integer(retry.retry_delay.count()),
                                 Integer(retry.exponential_backoff ? 1 : 0),
                                 Integer(retry.max_retry_delay.count()),
                                 retry.timeout ? Integer(retry.timeout->count()) : Value(),
                                 Text(TaskStateName(state)),
                                 TimeValue(now)};
    SW_RETURN_IF_ERROR(warehouse_.ExecuteWithParams(sql, row).status());
  }
  return Status::Ok();
}

Result<std::optional<RunRecord>> SchedulerStore::GetRun(std::string_view run_id) {
  const std::vector<Value> params{Text(std::string(run_id))};
  SW_ASSIGN_OR_RETURN(
      std::vector<RunRecord> runs,
      QueryRecords<RunRecord>(warehouse_,
                              fmt::format("SELECT {} FROM {} WHERE run_id = ?", kRunColumns, kRuns),
                              params, DecodeRun));
  if (runs.empty()) return std::optional<RunRecord>();
  return std::optional<RunRecord>(std::move(runs.front()));
}

Result<std::vector<RunRecord>> SchedulerStore::ListRuns(const RunFilter& filter) {
  std::string sql = fmt::format("SELECT {} FROM {} WHERE 1 = 1", kRunColumns, kRuns);
  std::vector<Value> params;
  if (!filter.pipeline.empty()) {
    sql += " AND pipeline = ?";
    params.push_back(Text(filter.pipeline));
  }
  if (filter.state) {
    sql += " AND state = ?";
    params.push_back(Text(RunStateName(*filter.state)));
  }
  sql += " ORDER BY queued_at DESC, run_id DESC LIMIT ? OFFSET ?";
  params.push_back(Integer(std::max(0, filter.limit)));
  params.push_back(Integer(std::max(0, filter.offset)));
  return QueryRecords<RunRecord>(warehouse_, sql, params, DecodeRun);
}

Result<std::vector<TaskInstanceRecord>> SchedulerStore::ListTaskInstances(std::string_view run_id) {
  const std::vector<Value> params{Text(std::string(run_id))};
  return QueryRecords<TaskInstanceRecord>(
      warehouse_,
      fmt::format("SELECT {} FROM {} WHERE run_id = ? ORDER BY task_order", kTaskInstanceColumns,
                  kTaskInstances),
      params, DecodeTaskInstance);
}

Result<std::vector<TryRecord>> SchedulerStore::ListTries(std::string_view run_id,
                                                         std::string_view task) {
  std::vector<Value> params{Text(std::string(run_id))};
  std::string sql = fmt::format("SELECT {} FROM {} t WHERE run_id = ?", kTryColumns, kTries);
  if (!task.empty()) {
    sql += " AND task = ?";
    params.push_back(Text(std::string(task)));
  }
  sql += fmt::format(
      " ORDER BY (SELECT task_order FROM {} i WHERE i.run_id = t.run_id AND i.task = t.task), "
      "try_number",
      kTaskInstances);
  return QueryRecords<TryRecord>(warehouse_, sql, params, DecodeTry);
}

Result<std::vector<PartitionRecord>> SchedulerStore::ListPartitions(std::string_view pipeline,
                                                                    std::optional<DayRange> range) {
  std::vector<Value> params{Text(std::string(pipeline))};
  std::string sql =
      fmt::format("SELECT day, status, run_id, updated_at FROM {} WHERE pipeline = ?", kPartitions);
  if (range) {
    sql += " AND day >= ? AND day <= ?";
    params.push_back(Text(range->first.Iso()));
    params.push_back(Text(range->last.Iso()));
  }
  sql += " ORDER BY day";
  return QueryRecords<PartitionRecord>(
      warehouse_, sql, params, [](const Row& row) -> Result<PartitionRecord> {
        PartitionRecord record;
        SW_ASSIGN_OR_RETURN(record.day, Date::Parse(AsText(row[0])));
        SW_ASSIGN_OR_RETURN(record.status, ParsePartitionStatus(AsText(row[1])));
        record.run_id = AsText(row[2]);
        SW_ASSIGN_OR_RETURN(record.updated_at, ParseStoreTime(AsText(row[3])));
        return record;
      });
}

Result<PartitionMap> SchedulerStore::PartitionMapOf(std::string_view pipeline) {
  SW_ASSIGN_OR_RETURN(std::vector<PartitionRecord> records, ListPartitions(pipeline));
  PartitionMap map;
  for (PartitionRecord& record : records)
    map.emplace(record.day, PartitionState{record.status, std::move(record.run_id)});
  return map;
}

Result<ScheduleHistory> SchedulerStore::ScheduleHistoryOf(std::string_view pipeline,
                                                          bool partitioned) {
  const std::vector<Value> params{Text(std::string(pipeline))};
  SW_ASSIGN_OR_RETURN(
      QueryResult latest,
      warehouse_.QueryAll(fmt::format("SELECT MAX(logical_time), MAX(partition_to) FROM {} "
                                      "WHERE pipeline = ? AND kind IN ('scheduled', 'catchup')",
                                      kRuns),
                          params));
  ScheduleHistory history;
  if (!latest.rows.empty()) {
    SW_ASSIGN_OR_RETURN(std::optional<TimePoint> fire, AsOptionalTime(latest.rows[0][0]));
    if (fire) history.last_fire = std::chrono::floor<std::chrono::seconds>(*fire);
    if (!IsNull(latest.rows[0][1])) {
      SW_ASSIGN_OR_RETURN(history.last_scheduled_day, Date::Parse(AsText(latest.rows[0][1])));
    }
  }
  if (partitioned) {
    SW_ASSIGN_OR_RETURN(history.partitions, PartitionMapOf(pipeline));
  }
  return history;
}

Result<int> SchedulerStore::CountRunningRuns(std::string_view pipeline) {
  const std::vector<Value> params{Text(std::string(pipeline))};
  SW_ASSIGN_OR_RETURN(
      QueryResult result,
      warehouse_.QueryAll(
          fmt::format("SELECT COUNT(*) FROM {} WHERE pipeline = ? AND state = 'running'", kRuns),
          params));
  return static_cast<int>(AsInteger(result.rows.at(0).at(0)).value_or(0));
}

Result<std::vector<TaskInstanceRecord>> SchedulerStore::ReadyTasks(int limit) {
  // Run ids sort by creation time, so ordering by them runs the oldest first.
  const std::vector<Value> params{TimeValue(Now()), Integer(std::max(0, limit))};
  return QueryRecords<TaskInstanceRecord>(
      warehouse_,
      fmt::format("SELECT {} FROM {} WHERE state = 'queued' OR (state IN ('up_for_retry', "
                  "'deferred') AND next_attempt_at <= ?) ORDER BY run_id, task_order LIMIT ?",
                  kTaskInstanceColumns, kTaskInstances),
      params, DecodeTaskInstance);
}

Result<std::optional<TimePoint>> SchedulerStore::NextAttemptTime() {
  const std::vector<Value> params{TimeValue(Now())};
  SW_ASSIGN_OR_RETURN(
      QueryResult result,
      warehouse_.QueryAll(fmt::format("SELECT MIN(next_attempt_at) FROM {} WHERE state IN "
                                      "('up_for_retry', 'deferred') AND next_attempt_at > ?",
                                      kTaskInstances),
                          params));
  if (result.rows.empty()) return std::optional<TimePoint>();
  return AsOptionalTime(result.rows[0][0]);
}

Result<std::vector<TryRecord>> SchedulerStore::RunningTries() {
  return QueryRecords<TryRecord>(
      warehouse_,
      fmt::format("SELECT {} FROM {} WHERE state = 'running' ORDER BY run_id, task", kTryColumns,
                  kTries),
      {}, DecodeTry);
}

Result<std::vector<RunRecord>> SchedulerStore::RunsPastDeadline() {
  const std::vector<Value> params{TimeValue(Now())};
  return QueryRecords<RunRecord>(
      warehouse_,
      fmt::format("SELECT {} FROM {} WHERE deadline_at IS NOT NULL AND deadline_at <= ? AND "
                  "state IN ('queued', 'running') ORDER BY deadline_at",
                  kRunColumns, kRuns),
      params, DecodeRun);
}

Result<int> SchedulerStore::FailedRunsSinceLastSuccess(std::string_view pipeline,
                                                       std::string_view except_run_id) {
  const std::vector<Value> params{Text(std::string(pipeline)), Text(std::string(pipeline)),
                                  Text(std::string(except_run_id))};
  SW_ASSIGN_OR_RETURN(
      QueryResult result,
      warehouse_.QueryAll(
          fmt::format("SELECT COUNT(*) FROM {0} WHERE pipeline = ? AND state = 'failed' AND "
                      "ended_at > COALESCE((SELECT MAX(ended_at) FROM {0} WHERE pipeline = ? AND "
                      "state = 'success' AND run_id <> ?), '')",
                      kRuns),
          params));
  return static_cast<int>(AsInteger(result.rows.at(0).at(0)).value_or(0));
}

Result<std::vector<TryRecord>> SchedulerStore::TriesEndedBetween(std::optional<TimePoint> since,
                                                                 TimePoint before) {
  std::vector<Value> params{TimeValue(before)};
  std::string sql = fmt::format("SELECT {} FROM {} WHERE ended_at < ?", kTryColumns, kTries);
  if (since) {
    sql += " AND ended_at >= ?";
    params.push_back(TimeValue(*since));
  }
  return QueryRecords<TryRecord>(warehouse_, sql + " ORDER BY ended_at", params, DecodeTry);
}

Result<std::vector<TaskInstanceRecord>> SchedulerStore::TasksDeferredSince(TimePoint before) {
  const std::vector<Value> params{TimeValue(before)};
  return QueryRecords<TaskInstanceRecord>(
      warehouse_,
      fmt::format("SELECT {} FROM {} WHERE state = 'deferred' AND deferred_since <= ? ORDER BY "
                  "run_id, task_order",
                  kTaskInstanceColumns, kTaskInstances),
      params, DecodeTaskInstance);
}

}  // namespace silverwork::scheduler
