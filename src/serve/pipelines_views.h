// The JSON the pipelines API answers with, built from the scheduler's
// records (scheduler/scheduler_store.h) and pipelines.yml. docs/serve.md
// documents every field. Times are ISO 8601 UTC with milliseconds
// ("2025-03-30T15:00:00.000Z"), days YYYY-MM-DD, durations seconds.
//
// Pure functions of their arguments (`now` stands in for the clock: a
// running run's or try's duration runs up to it); thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "scheduler/pipelines.h"
#include "scheduler/scheduler_store.h"

namespace silverwork::serve {

using scheduler::TimePoint;

// "/api/v1/runs/{run}/tasks/{task}/logs/{try}".
std::string TryLogPath(std::string_view run_id, std::string_view task, int try_number);
// "/api/v1/requests/{id}".
std::string RequestPath(std::string_view request_id);

// A run with its tasks, each with every try (tries in any order), in the
// shape of scheduler/state_json.h; a try's "log" is its URL (TryLogPath).
nlohmann::json RunDetailJson(const scheduler::RunRecord& run,
                             const std::vector<scheduler::TaskInstanceRecord>& tasks,
                             const std::vector<scheduler::TryRecord>& tries, TimePoint now);

// One pipeline of GET /api/v1/pipelines. `paused_override` is the operator's
// pause/unpause, if any; `last_run` and `last_failure` the newest run and the
// newest failed run; `running_runs` how many are running.
struct PipelineStatus {
  std::optional<bool> paused_override;
  std::optional<scheduler::RunRecord> last_run;
  std::optional<scheduler::RunRecord> last_failure;
  int running_runs = 0;
};
nlohmann::json PipelineJson(const scheduler::PipelineSpec& pipeline, const PipelineStatus& status,
                            TimePoint now);
// Whether a scheduler holds the lease now, and who.
nlohmann::json SchedulerJson(const std::optional<scheduler::LeaseHolder>& holder, TimePoint now);

// A page of the grid, as GET …/grid answers it.
struct GridPage {
  std::vector<scheduler::RunRecord> runs;     // newest first, as ListRuns answers
  std::vector<scheduler::TaskSummary> tasks;  // their task instances
  int64_t limit = 0;
  int64_t offset = 0;
  bool has_more = false;
};
// The whole answer's text ({"data": …}), written directly: a page holds up
// to a thousand runs. Columns are the runs oldest to newest (as drawn), each
// with what a column shows; rows are the pipeline's tasks in pipelines.yml
// order, then tasks only older runs had.
std::string GridBody(const scheduler::PipelineSpec& pipeline, const GridPage& page, TimePoint now);

// Every day of `range` with its status (scheduler::PartitionJson); a day
// without a row is "missing", with null run and change.
nlohmann::json PartitionsJson(const scheduler::PipelineSpec& pipeline, scheduler::DayRange range,
                              const std::vector<scheduler::PartitionRecord>& days);

nlohmann::json RequestJson(const scheduler::SchedulerRequest& request);

}  // namespace silverwork::serve
