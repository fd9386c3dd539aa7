#include "scheduler/state_json.h"

#include <algorithm>

namespace silverwork::scheduler {
namespace {

using nlohmann::json;

template <typename T>
json ValueOrNull(const std::optional<T>& value) {
  return value ? json(*value) : json(nullptr);
}

json Duration(const std::optional<TimePoint>& start, const std::optional<TimePoint>& end,
              TimePoint now) {
  return ValueOrNull(DurationSeconds(start, end, now));
}

}  // namespace

json TimeJson(TimePoint instant) { return FormatStoreTime(instant); }
json TimeJson(SysSeconds instant) { return FormatStoreTime(instant); }
json TimeJson(const std::optional<TimePoint>& instant) {
  return instant ? json(FormatStoreTime(*instant)) : json(nullptr);
}
json TextOrNullJson(const std::string& text) {
  return text.empty() ? json(nullptr) : json(text);
}

std::optional<double> DurationSeconds(const std::optional<TimePoint>& start,
                                      const std::optional<TimePoint>& end, TimePoint now) {
  if (!start) return std::nullopt;
  const TimePoint until = end.value_or(std::max(now, *start));
  return std::chrono::round<std::chrono::milliseconds>(until - *start).count() / 1000.0;
}

json RunJson(const RunRecord& run, TimePoint now) {
  json days = nullptr;
  if (run.window) {
    days = {{"from", run.window->first.Iso()},
            {"to", run.window->last.Iso()},
            {"count", run.partition_count}};
  }
  return {{"run_id", run.run_id},
          {"pipeline", run.pipeline},
          {"kind", RunKindName(run.kind)},
          {"state", RunStateName(run.state)},
          {"logical_time", TimeJson(run.logical_time)},
          {"data_interval", {{"start", TimeJson(run.interval.start)}, {"end", TimeJson(run.interval.end)}}},
          {"days", std::move(days)},
          {"queued_at", TimeJson(run.queued_at)},
          {"started_at", TimeJson(run.started_at)},
          {"ended_at", TimeJson(run.ended_at)},
          {"duration_s", Duration(run.started_at, run.ended_at, now)},
          {"deadline_at", run.deadline_at ? TimeJson(*run.deadline_at) : json(nullptr)},
          {"request_id", TextOrNullJson(run.request_id)},
          {"message", TextOrNullJson(run.message)},
          {"hint", TextOrNullJson(run.hint)}};
}

json TryJson(const TryRecord& attempt, TimePoint now, std::string log) {
  return {{"try_number", attempt.try_number},
          {"state", TryStateName(attempt.state)},
          {"started_at", TimeJson(attempt.started_at)},
          {"ended_at", TimeJson(attempt.ended_at)},
          {"duration_s", Duration(attempt.started_at, attempt.ended_at, now)},
          {"exit_code", ValueOrNull(attempt.exit_code)},
          {"signal", ValueOrNull(attempt.signal)},
          {"host", TextOrNullJson(attempt.host)},
          {"pid", ValueOrNull(attempt.pid)},
          {"error", TextOrNullJson(attempt.error)},
          {"hint", TextOrNullJson(attempt.hint)},
          {"log", std::move(log)}};
}

json TaskJson(const TaskInstanceRecord& task, const std::vector<TryRecord>& tries, TimePoint now,
              const TryLogReference& log) {
  std::vector<const TryRecord*> own;
  for (const TryRecord& attempt : tries)
    if (attempt.task == task.task) own.push_back(&attempt);
  std::stable_sort(own.begin(), own.end(), [](const TryRecord* left, const TryRecord* right) {
    return left->try_number < right->try_number;
  });
  json task_tries = json::array();
  for (const TryRecord* attempt : own) task_tries.push_back(TryJson(*attempt, now, log(*attempt)));
  return {{"task", task.task},
          {"kind", TaskKindName(task.kind)},
          {"state", TaskStateName(task.state)},
          {"upstream", task.upstream},
          {"try_number", task.try_number},
          {"failures", task.failures},
          {"retries", task.retry.retries},
          {"timeout_s", task.retry.timeout ? json(task.retry.timeout->count()) : json(nullptr)},
          {"next_attempt_at", TimeJson(task.next_attempt_at)},
          {"started_at", TimeJson(task.started_at)},
          {"ended_at", TimeJson(task.ended_at)},
          {"duration_s", Duration(task.started_at, task.ended_at, now)},
          {"deferred_since", TimeJson(task.deferred_since)},
          {"message", TextOrNullJson(task.message)},
          {"hint", TextOrNullJson(task.hint)},
          {"tries", std::move(task_tries)}};
}

json RunDetailJson(const RunRecord& run, const std::vector<TaskInstanceRecord>& tasks,
                   const std::vector<TryRecord>& tries, TimePoint now, const TryLogReference& log) {
  json task_list = json::array();
  for (const TaskInstanceRecord& task : tasks) task_list.push_back(TaskJson(task, tries, now, log));
  json body = RunJson(run, now);
  body["tasks"] = std::move(task_list);
  return body;
}

json PartitionJson(const PartitionRecord& day) {
  return {{"day", day.day.Iso()},
          {"status", PartitionStatusName(day.status)},
          {"run_id", day.run_id},
          {"updated_at", TimeJson(day.updated_at)}};
}

}  // namespace silverwork::scheduler
