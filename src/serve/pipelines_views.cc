#include "serve/pipelines_views.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "scheduler/state_json.h"
#include "serve/json_writer.h"

namespace silverwork::serve {
namespace {

using nlohmann::json;
using namespace scheduler;  // NOLINT(google-build-using-namespace): views of its records

// Row order of the grid: the pipeline's tasks, then others by first position.
std::vector<std::string> GridRows(const PipelineSpec& pipeline,
                                  const std::vector<TaskSummary>& tasks) {
  std::vector<std::string> rows;
  for (const TaskSpec& task : pipeline.tasks) rows.push_back(task.name);
  std::vector<std::pair<int, std::string>> others;
  for (const TaskSummary& task : tasks) {
    if (std::find(rows.begin(), rows.end(), task.task) != rows.end()) continue;
    const auto known = std::find_if(others.begin(), others.end(),
                                    [&](const auto& other) { return other.second == task.task; });
    if (known == others.end()) others.emplace_back(task.position, task.task);
  }
  std::stable_sort(others.begin(), others.end(),
                   [](const auto& left, const auto& right) { return left.first < right.first; });
  for (auto& other : others) rows.push_back(std::move(other.second));
  return rows;
}

// A grid column: what the column header and its tooltip show.
void WriteGridRun(JsonWriter& out, const RunRecord& run, TimePoint now) {
  out.BeginObject();
  out.StringField("run_id", run.run_id);
  out.StringField("kind", RunKindName(run.kind));
  out.StringField("state", RunStateName(run.state));
  out.StringField("logical_time", FormatStoreTime(run.logical_time));
  out.Key("data_interval").BeginObject();
  out.StringField("start", FormatStoreTime(run.interval.start));
  out.StringField("end", FormatStoreTime(run.interval.end));
  out.EndObject().Key("days");
  if (run.window) {
    out.BeginObject();
    out.StringField("from", run.window->first.Iso());
    out.StringField("to", run.window->last.Iso());
    out.IntField("count", run.partition_count);
    out.EndObject();
  } else {
    out.Null();
  }
  out.Key("duration_s").OptionalDouble(DurationSeconds(run.started_at, run.ended_at, now));
  out.EndObject();
}

// A square of the grid, or null where the run had no such task.
void WriteGridCell(JsonWriter& out, const TaskSummary* cell, TimePoint now) {
  if (cell == nullptr) {
    out.Null();
    return;
  }
  out.BeginObject();
  out.StringField("state", TaskStateName(cell->state));
  out.IntField("try_number", cell->try_number);
  out.Key("duration_s").OptionalDouble(DurationSeconds(cell->started_at, cell->ended_at, now));
  out.EndObject();
}

}  // namespace

std::string TryLogPath(std::string_view run_id, std::string_view task, int try_number) {
  return fmt::format("/api/v1/runs/{}/tasks/{}/logs/{}", run_id, task, try_number);
}

std::string RequestPath(std::string_view request_id) {
  return fmt::format("/api/v1/requests/{}", request_id);
}

json RunDetailJson(const RunRecord& run, const std::vector<TaskInstanceRecord>& tasks,
                   const std::vector<TryRecord>& tries, TimePoint now) {
  return scheduler::RunDetailJson(run, tasks, tries, now, [](const TryRecord& attempt) {
    return TryLogPath(attempt.run_id, attempt.task, attempt.try_number);
  });
}

json PipelineJson(const PipelineSpec& pipeline, const PipelineStatus& status, TimePoint now) {
  json tasks = json::array();
  for (const TaskSpec& task : pipeline.tasks)
    tasks.push_back(
        {{"task", task.name}, {"kind", TaskKindName(task.kind)}, {"upstream", task.after}});
  const auto next = pipeline.schedule.NextAfter(std::chrono::floor<std::chrono::seconds>(now),
                                                *pipeline.timezone);
  json partitions = nullptr;
  if (pipeline.partitions)
    partitions = {{"by", "day"}, {"timezone", pipeline.partitions->zone->name()}};
  return {
      {"pipeline", pipeline.name},
      {"description", TextOrNullJson(pipeline.description)},
      {"schedule",
       {{"cron", pipeline.schedule.expression()},
        {"description", pipeline.schedule.Describe()},
        {"timezone", pipeline.timezone->name()}}},
      {"partitions", std::move(partitions)},
      {"catchup", pipeline.catchup},
      {"max_active_runs", pipeline.max_active_runs},
      {"paused", status.paused_override.value_or(pipeline.paused)},
      {"paused_by", status.paused_override ? "operator" : "pipelines.yml"},
      {"next_run", next ? TimeJson(*next) : json(nullptr)},
      {"tasks", std::move(tasks)},
      {"running_runs", status.running_runs},
      {"last_run", status.last_run ? RunJson(*status.last_run, now) : json(nullptr)},
      {"last_failure", status.last_failure ? RunJson(*status.last_failure, now) : json(nullptr)},
  };
}

json SchedulerJson(const std::optional<LeaseHolder>& holder, TimePoint now) {
  if (!holder || holder->expires_at <= now) return {{"running", false}};
  return {{"running", true},
          {"host", TextOrNullJson(holder->host)},
          {"pid", holder->pid},
          {"since", TimeJson(holder->acquired_at)},
          {"renewed_at", TimeJson(holder->renewed_at)}};
}

std::string GridBody(const PipelineSpec& pipeline, const GridPage& page, TimePoint now) {
  const std::vector<std::string> rows = GridRows(pipeline, page.tasks);
  const size_t columns = page.runs.size();
  std::map<std::string_view, size_t> column_of;  // oldest first
  for (size_t index = 0; index < columns; ++index)
    column_of.emplace(page.runs[columns - 1 - index].run_id, index);
  std::vector<std::vector<const TaskSummary*>> cells(rows.size(),
                                                     std::vector<const TaskSummary*>(columns));
  for (const TaskSummary& task : page.tasks) {
    const auto column = column_of.find(task.run_id);
    const auto row = std::find(rows.begin(), rows.end(), task.task);
    if (column != column_of.end() && row != rows.end())
      cells[static_cast<size_t>(row - rows.begin())][column->second] = &task;
  }
  JsonWriter out;
  out.BeginObject().Key("data").BeginObject();
  out.StringField("pipeline", pipeline.name);
  out.Key("runs").BeginArray();
  for (size_t index = columns; index-- > 0;) WriteGridRun(out, page.runs[index], now);
  out.EndArray().Key("tasks").BeginArray();
  for (size_t row = 0; row < rows.size(); ++row) {
    out.BeginObject();
    out.StringField("task", rows[row]);
    out.BoolField("in_pipeline", pipeline.FindTask(rows[row]) != nullptr);
    out.Key("cells").BeginArray();
    for (const TaskSummary* cell : cells[row]) WriteGridCell(out, cell, now);
    out.EndArray().EndObject();
  }
  out.EndArray();
  out.IntField("limit", page.limit);
  out.IntField("offset", page.offset);
  out.BoolField("has_more", page.has_more);
  out.EndObject().EndObject();
  return out.Take();
}

json PartitionsJson(const PipelineSpec& pipeline, DayRange range,
                    const std::vector<PartitionRecord>& days) {
  std::map<Date, const PartitionRecord*> by_day;
  for (const PartitionRecord& day : days) by_day.emplace(day.day, &day);
  json list = json::array();
  std::map<std::string, int64_t> counts;
  for (Date day = range.first; day <= range.last; day = day.AddDays(1)) {
    const auto found = by_day.find(day);
    json entry = found != by_day.end()
                     ? PartitionJson(*found->second)
                     : json{{"day", day.Iso()}, {"status", "missing"}, {"run_id", nullptr},
                            {"updated_at", nullptr}};
    ++counts[entry["status"].get<std::string>()];
    list.push_back(std::move(entry));
  }
  return {{"pipeline", pipeline.name},
          {"partitioned", true},
          {"timezone", pipeline.DayZone().name()},
          {"from", range.first.Iso()},
          {"to", range.last.Iso()},
          {"counts", counts},
          {"days", std::move(list)}};
}

json RequestJson(const SchedulerRequest& request) {
  return {{"request_id", request.request_id},
          {"kind", RequestKindName(request.kind)},
          {"pipeline", request.pipeline},
          {"run_id", TextOrNullJson(request.run_id)},
          {"date", request.date ? json(request.date->Iso()) : json(nullptr)},
          {"from", request.range ? json(request.range->first.Iso()) : json(nullptr)},
          {"to", request.range ? json(request.range->last.Iso()) : json(nullptr)},
          {"reprocess", request.kind == RequestKind::kBackfill
                            ? json(ReprocessModeName(request.reprocess))
                            : json(nullptr)},
          {"requested_by", TextOrNullJson(request.requested_by)},
          {"requested_at", TimeJson(request.requested_at)},
          {"state", RequestStateName(request.state)},
          {"answered_at", TimeJson(request.answered_at)},
          {"message", TextOrNullJson(request.message)},
          {"hint", TextOrNullJson(request.hint)},
          {"run_ids", request.run_ids},
          {"poll", RequestPath(request.request_id)}};
}

}  // namespace silverwork::serve
