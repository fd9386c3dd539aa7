#include "scheduler/state_json.h"

namespace silverwork::scheduler {
namespace {

using Json = nlohmann::ordered_json;

Json TimeOrNull(const std::optional<TimePoint>& instant) {
  return instant ? Json(FormatStoreTime(*instant)) : Json(nullptr);
}

Json SecondsTime(SysSeconds instant) { return FormatStoreTime(instant); }

Json TextOrNull(const std::string& text) { return text.empty() ? Json(nullptr) : Json(text); }

template <typename T>
Json ValueOrNull(const std::optional<T>& value) {
  return value ? Json(*value) : Json(nullptr);
}

}  // namespace

Json RunJson(const RunRecord& run) {
  Json json;
  json["run_id"] = run.run_id;
  json["pipeline"] = run.pipeline;
  json["kind"] = RunKindName(run.kind);
  json["state"] = RunStateName(run.state);
  json["logical_time"] = SecondsTime(run.logical_time);
  json["interval"] = {{"start", SecondsTime(run.interval.start)},
                      {"end", SecondsTime(run.interval.end)}};
  json["days"] = run.window ? Json{{"first", run.window->first.Iso()},
                                   {"last", run.window->last.Iso()},
                                   {"count", run.partition_count}}
                            : Json(nullptr);
  json["queued_at"] = FormatStoreTime(run.queued_at);
  json["started_at"] = TimeOrNull(run.started_at);
  json["ended_at"] = TimeOrNull(run.ended_at);
  json["deadline_at"] = run.deadline_at ? SecondsTime(*run.deadline_at) : Json(nullptr);
  json["request_id"] = TextOrNull(run.request_id);
  json["message"] = TextOrNull(run.message);
  json["hint"] = TextOrNull(run.hint);
  return json;
}

Json TaskJson(const TaskInstanceRecord& task, const std::vector<TryRecord>& tries) {
  Json json;
  json["task"] = task.task;
  json["kind"] = TaskKindName(task.kind);
  json["upstream"] = task.upstream;
  json["state"] = TaskStateName(task.state);
  json["try_number"] = task.try_number;
  json["failures"] = task.failures;
  json["retries"] = task.retry.retries;
  json["timeout_s"] = task.retry.timeout ? Json(task.retry.timeout->count()) : Json(nullptr);
  json["next_attempt_at"] = TimeOrNull(task.next_attempt_at);
  json["started_at"] = TimeOrNull(task.started_at);
  json["ended_at"] = TimeOrNull(task.ended_at);
  json["deferred_since"] = TimeOrNull(task.deferred_since);
  json["message"] = TextOrNull(task.message);
  json["hint"] = TextOrNull(task.hint);
  json["tries"] = Json::array();
  for (const TryRecord& attempt : tries)
    if (attempt.task == task.task) json["tries"].push_back(TryJson(attempt));
  return json;
}

Json TryJson(const TryRecord& attempt) {
  Json json;
  json["try"] = attempt.try_number;
  json["state"] = TryStateName(attempt.state);
  json["started_at"] = FormatStoreTime(attempt.started_at);
  json["ended_at"] = TimeOrNull(attempt.ended_at);
  json["exit_code"] = ValueOrNull(attempt.exit_code);
  json["signal"] = ValueOrNull(attempt.signal);
  json["pid"] = ValueOrNull(attempt.pid);
  json["host"] = TextOrNull(attempt.host);
  json["log_path"] = TextOrNull(attempt.log_path);
  json["error"] = TextOrNull(attempt.error);
  json["hint"] = TextOrNull(attempt.hint);
  return json;
}

Json PartitionJson(const PartitionRecord& day) {
  return {{"day", day.day.Iso()},
          {"status", PartitionStatusName(day.status)},
          {"run_id", day.run_id},
          {"updated_at", FormatStoreTime(day.updated_at)}};
}

}  // namespace silverwork::scheduler
