// SchedulerStore: the reads behind serve's pipelines API and the scheduler's
// figures in /metrics. Read-only; portable SQL like the rest of the store.
#include <fmt/format.h>

#include <algorithm>

#include "scheduler/scheduler_store.h"
#include "scheduler/store_rows.h"

namespace silverwork::scheduler {

using namespace store_rows;  // NOLINT(google-build-using-namespace): this file is the store

namespace {

// Run ids per IN list: far below every engine's limit on parameters.
constexpr size_t kIdsPerQuery = 500;

}  // namespace

Result<std::vector<TaskInstanceRecord>> SchedulerStore::ListTaskInstancesOf(
    std::span<const std::string> run_ids) {
  std::vector<TaskInstanceRecord> instances;
  for (size_t first = 0; first < run_ids.size(); first += kIdsPerQuery) {
    const auto chunk = run_ids.subspan(first, std::min(kIdsPerQuery, run_ids.size() - first));
    std::vector<Value> params;
    params.reserve(chunk.size());
    std::string placeholders;
    for (const std::string& run_id : chunk) {
      placeholders += placeholders.empty() ? "?" : ", ?";
      params.push_back(Text(run_id));
    }
    SW_ASSIGN_OR_RETURN(
        std::vector<TaskInstanceRecord> found,
        QueryRecords<TaskInstanceRecord>(
            warehouse_,
            fmt::format("SELECT {} FROM {} WHERE run_id IN ({}) ORDER BY run_id, task_order",
                        kTaskInstanceColumns, kTaskInstances, placeholders),
            params, DecodeTaskInstance));
    std::move(found.begin(), found.end(), std::back_inserter(instances));
  }
  std::stable_sort(instances.begin(), instances.end(),
                   [](const TaskInstanceRecord& left, const TaskInstanceRecord& right) {
                     return left.run_id < right.run_id;
                   });
  return instances;
}

Result<std::vector<RunStateCount>> SchedulerStore::CountRunsByState() {
  return QueryRecords<RunStateCount>(
      warehouse_,
      fmt::format("SELECT pipeline, state, COUNT(*) FROM {} GROUP BY pipeline, state "
                  "ORDER BY pipeline, state",
                  kRuns),
      {}, [](const Row& row) -> Result<RunStateCount> {
        RunStateCount count;
        count.pipeline = AsText(row[0]);
        SW_ASSIGN_OR_RETURN(count.state, ParseRunState(AsText(row[1])));
        count.runs = AsInteger(row[2]).value_or(0);
        return count;
      });
}

Result<std::vector<TryTiming>> SchedulerStore::EndedTryTimings() {
  return QueryRecords<TryTiming>(
      warehouse_,
      fmt::format("SELECT i.pipeline, t.task, t.state, t.started_at, t.ended_at FROM {} t "
                  "JOIN {} i ON i.run_id = t.run_id AND i.task = t.task "
                  "WHERE t.ended_at IS NOT NULL ORDER BY i.pipeline, t.task",
                  kTries, kTaskInstances),
      {}, [](const Row& row) -> Result<TryTiming> {
        TryTiming timing;
        timing.pipeline = AsText(row[0]);
        timing.task = AsText(row[1]);
        SW_ASSIGN_OR_RETURN(timing.state, ParseTryState(AsText(row[2])));
        SW_ASSIGN_OR_RETURN(timing.started_at, ParseStoreTime(AsText(row[3])));
        SW_ASSIGN_OR_RETURN(timing.ended_at, ParseStoreTime(AsText(row[4])));
        return timing;
      });
}

Result<std::vector<DeferralCount>> SchedulerStore::CountDeferrals() {
  return QueryRecords<DeferralCount>(
      warehouse_,
      fmt::format("SELECT i.pipeline, "
                  "(SELECT COUNT(*) FROM {0} t JOIN {1} ti ON ti.run_id = t.run_id AND "
                  "ti.task = t.task WHERE ti.pipeline = i.pipeline AND t.state = 'deferred'), "
                  "SUM(CASE WHEN i.state = 'deferred' THEN 1 ELSE 0 END) "
                  "FROM {1} i GROUP BY i.pipeline ORDER BY i.pipeline",
                  kTries, kTaskInstances),
      {}, [](const Row& row) -> Result<DeferralCount> {
        return DeferralCount{AsText(row[0]), AsInteger(row[1]).value_or(0),
                             AsInteger(row[2]).value_or(0)};
      });
}

}  // namespace silverwork::scheduler
