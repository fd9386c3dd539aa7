// PipelinesApi: the routes and the read endpoints.
#include "serve/pipelines_api.h"

#include <fmt/format.h>

#include <algorithm>

#include "scheduler/run_planner.h"
#include "scheduler/state_json.h"
#include "serve/api_params.h"
#include "serve/pipelines_views.h"
#include "serve/responses.h"
#include "serve/task_logs.h"

namespace silverwork::serve {
namespace {

using nlohmann::json;
using namespace scheduler;  // NOLINT(google-build-using-namespace): the API over its store

// Path segments, as regular expression groups. Anything else is not a route
// of this API (404 from the server's fallback).
constexpr std::string_view kPipelineGroup = "([a-z][a-z0-9_]{0,63})";
constexpr std::string_view kTaskGroup = "([a-z][a-z0-9_]{0,63})";
constexpr std::string_view kIdGroup = "([0-9A-Za-z][0-9A-Za-z._:-]{0,127})";
constexpr std::string_view kTryGroup = "([0-9]{1,9})";

constexpr int64_t kMaxOffset = 1'000'000;
constexpr int64_t kDefaultPage = 25;
constexpr int64_t kMaxRunsPage = 200;
constexpr int64_t kMaxGridRuns = 1000;
constexpr int64_t kDefaultCalendarDays = 365;

constexpr std::string_view kRunStates[] = {"queued", "running", "success", "failed", "skipped"};

// The partitions asked for: from/to, else the last year up to the last ended day.
std::optional<DayRange> CalendarRange(ParamReader& params, const PipelineSpec& pipeline,
                                      TimePoint now) {
  const auto from = params.Day("from");
  const auto to = params.Day("to");
  if (params.bad()) return std::nullopt;
  const Date last =
      to.value_or(LastEndedDay(pipeline.DayZone(), std::chrono::floor<std::chrono::seconds>(now)));
  const Date first = from.value_or(last.AddDays(1 - kDefaultCalendarDays));
  if (last < first) {
    params.Refuse("from", fmt::format("from {} is after to {}", first.Iso(), last.Iso()),
                  "give from <= to");
    return std::nullopt;
  }
  if (first.DaysUntil(last) >= kMaxBackfillDays) {
    params.Refuse(
        "from",
        fmt::format("{} to {} is more than {} days", first.Iso(), last.Iso(), kMaxBackfillDays),
        "ask for a shorter range");
    return std::nullopt;
  }
  return DayRange{first, last};
}

void SendLogChunk(httplib::Response& res, const LogChunk& chunk, TryState state) {
  res.status = 200;
  res.set_header("Cache-Control", "no-store");
  res.set_header("X-Log-Offset", std::to_string(chunk.offset));
  res.set_header("X-Log-Next-Offset", std::to_string(chunk.next_offset));
  res.set_header("X-Log-Size", std::to_string(chunk.size));
  res.set_header("X-Log-Truncated", chunk.truncated ? "true" : "false");
  res.set_header("X-Try-State", TryStateName(state));
  res.set_content(chunk.text, "text/plain; charset=utf-8");
}

}  // namespace

PipelinesApi::PipelinesApi(PipelinesApiOptions options, WarehousePool& pool)
    : options_(std::move(options)),
      clock_(*options_.clock),
      pool_(pool),
      pipelines_(options_.pipelines_file),
      token_(options_.api_token) {}

std::vector<PipelinesApi::Route> PipelinesApi::Routes() {
  const auto get = [this](
                       std::string name, std::string pattern, std::string summary,
                       void (PipelinesApi::*serve)(const httplib::Request&, httplib::Response&)) {
    return Route{false, std::move(name), std::move(pattern), std::move(summary),
                 [this, serve](const httplib::Request& req, httplib::Response& res) {
                   (this->*serve)(req, res);
                 }};
  };
  const auto post = [](std::string name, std::string pattern, std::string summary,
                       Handler handler) {
    return Route{true, std::move(name), std::move(pattern), std::move(summary), std::move(handler)};
  };
  const std::string pipeline = fmt::format("/api/v1/pipelines/{}", kPipelineGroup);
  const std::string run = fmt::format("/api/v1/runs/{}", kIdGroup);
  return {
      get("/api/v1/pipelines", "/api/v1/pipelines",
          "pipelines: schedule, next run, paused, last run and failure",
          &PipelinesApi::ServePipelines),
      get("/api/v1/pipelines/{pipeline}/runs", pipeline + "/runs", "a pipeline's runs, paged",
          &PipelinesApi::ServeRuns),
      get("/api/v1/pipelines/{pipeline}/grid", pipeline + "/grid",
          "task instances of recent runs, task by run", &PipelinesApi::ServeGrid),
      get("/api/v1/pipelines/{pipeline}/partitions", pipeline + "/partitions",
          "a partitioned pipeline's days and their status", &PipelinesApi::ServePartitions),
      get("/api/v1/runs/{run_id}", run, "a run, its tasks and their tries",
          &PipelinesApi::ServeRun),
      get("/api/v1/runs/{run_id}/tasks/{task}/logs/{try}",
          fmt::format("{}/tasks/{}/logs/{}", run, kTaskGroup, kTryGroup),
          "a try's log as text (tail, offset)", &PipelinesApi::ServeLog),
      get("/api/v1/requests/{request_id}", fmt::format("/api/v1/requests/{}", kIdGroup),
          "a write request and the scheduler's answer", &PipelinesApi::ServeRequest),
      get("/api/v1/operator", "/api/v1/operator", "whether writes are enabled and a token works",
          &PipelinesApi::ServeOperator),
      post("/api/v1/pipelines/{pipeline}/trigger", pipeline + "/trigger",
           "queue a run (operator token)",
           [this](const auto& req, auto& res) { Trigger(req, res); }),
      post("/api/v1/pipelines/{pipeline}/backfills", pipeline + "/backfills",
           "queue a backfill (operator token)",
           [this](const auto& req, auto& res) { Backfill(req, res); }),
      post("/api/v1/pipelines/{pipeline}/pause", pipeline + "/pause",
           "pause the schedule (operator token)",
           [this](const auto& req, auto& res) { SetPaused(req, res, true); }),
      post("/api/v1/pipelines/{pipeline}/unpause", pipeline + "/unpause",
           "resume the schedule (operator token)",
           [this](const auto& req, auto& res) { SetPaused(req, res, false); }),
      post("/api/v1/runs/{run_id}/clear", run + "/clear",
           "rerun a run's failed tasks (operator token)",
           [this](const auto& req, auto& res) { Clear(req, res); }),
  };
}

void PipelinesApi::WithStore(const httplib::Request& req, httplib::Response& res,
                             const std::function<Status(Store&, bool)>& read) {
  auto lease = pool_.Acquire();
  if (!lease.ok()) {
    return SendFailure(
        req, res, AsServerFailure(lease.status().WithContext("cannot read the scheduler's state")));
  }
  SeededRandom unused_by_reads;
  Store store(**lease, clock_, unused_by_reads);
  auto has_schema = store.HasSchema();
  Status status = has_schema.ok() ? read(store, *has_schema) : has_schema.status();
  if (!status.ok()) {
    SendFailure(req, res, AsServerFailure(status.WithContext("cannot read the scheduler's state")));
  }
}

Result<std::optional<RunRecord>> PipelinesApi::RunOr404(Store& store, bool has_schema,
                                                        const std::string& run_id,
                                                        httplib::Response& res) {
  std::optional<RunRecord> run;
  if (has_schema) {
    SW_ASSIGN_OR_RETURN(run, store.GetRun(run_id));
  }
  if (!run) {
    SendError(res, 404, "not_found", fmt::format("no run '{}'", run_id),
              "GET /api/v1/pipelines/{pipeline}/runs lists a pipeline's runs");
  }
  return run;
}

bool PipelinesApi::LoadPipelines(const httplib::Request& req, httplib::Response& res,
                                 std::shared_ptr<const PipelinesFile>& file) {
  auto current = pipelines_.Current();
  if (!current.ok()) {
    SendFailure(req, res, current.status());
    return false;
  }
  file = *std::move(current);
  return true;
}

const PipelineSpec* PipelinesApi::FindPipeline(const httplib::Request& req, httplib::Response& res,
                                               std::shared_ptr<const PipelinesFile>& file) {
  if (!LoadPipelines(req, res, file)) return nullptr;
  const std::string name = req.matches[1];
  const PipelineSpec* pipeline = file->Find(name);
  if (pipeline == nullptr) {
    SendError(res, 404, "not_found", fmt::format("no pipeline '{}' in {}", name, file->path),
              "GET /api/v1/pipelines lists the pipelines");
  }
  return pipeline;
}

void PipelinesApi::ServePipelines(const httplib::Request& req, httplib::Response& res) {
  ParamReader params(req.params, {});
  if (params.bad()) return SendBadParameter(res, *params.bad());
  std::shared_ptr<const PipelinesFile> file;
  if (!LoadPipelines(req, res, file)) return;
  WithStore(req, res, [&](Store& store, bool has_schema) -> Status {
    const TimePoint now = clock_.Now();
    std::map<std::string, bool> overrides;
    std::optional<LeaseHolder> holder;
    if (has_schema) {
      SW_ASSIGN_OR_RETURN(overrides, store.PausedOverrides());
      SW_ASSIGN_OR_RETURN(holder, store.CurrentLeaseHolder());
    }
    json pipelines = json::array();
    for (const PipelineSpec& pipeline : file->pipelines) {
      PipelineStatus status;
      if (auto found = overrides.find(pipeline.name); found != overrides.end())
        status.paused_override = found->second;
      if (has_schema) {
        SW_ASSIGN_OR_RETURN(auto last, store.ListRuns({.pipeline = pipeline.name, .limit = 1}));
        SW_ASSIGN_OR_RETURN(
            auto failed,
            store.ListRuns({.pipeline = pipeline.name, .state = RunState::kFailed, .limit = 1}));
        SW_ASSIGN_OR_RETURN(status.running_runs, store.CountRunningRuns(pipeline.name));
        if (!last.empty()) status.last_run = std::move(last.front());
        if (!failed.empty()) status.last_failure = std::move(failed.front());
      }
      pipelines.push_back(PipelineJson(pipeline, status, now));
    }
    SendJson(res, 200,
             {{"data", {{"scheduler", SchedulerJson(holder, now)}, {"pipelines", pipelines}}}});
    return Status::Ok();
  });
}

void PipelinesApi::ServeRuns(const httplib::Request& req, httplib::Response& res) {
  std::shared_ptr<const PipelinesFile> file;
  const PipelineSpec* pipeline = FindPipeline(req, res, file);
  if (pipeline == nullptr) return;
  ParamReader params(req.params, {"state", "limit", "offset"});
  const auto state = params.Choice("state", kRunStates);
  const int64_t limit = params.Integer("limit", 1, kMaxRunsPage).value_or(kDefaultPage);
  const int64_t offset = params.Integer("offset", 0, kMaxOffset).value_or(0);
  if (params.bad()) return SendBadParameter(res, *params.bad());
  WithStore(req, res, [&](Store& store, bool has_schema) -> Status {
    std::vector<RunRecord> runs;
    if (has_schema) {
      RunFilter filter{.pipeline = pipeline->name,
                       .limit = static_cast<int>(limit + 1),
                       .offset = static_cast<int>(offset)};
      if (state) {
        SW_ASSIGN_OR_RETURN(filter.state, ParseRunState(*state));
      }
      SW_ASSIGN_OR_RETURN(runs, store.ListRuns(filter));
    }
    const bool has_more = static_cast<int64_t>(runs.size()) > limit;
    if (has_more) runs.pop_back();
    const TimePoint now = clock_.Now();
    json list = json::array();
    for (const RunRecord& run : runs) list.push_back(RunJson(run, now));
    SendJson(res, 200,
             {{"data",
               {{"runs", std::move(list)},
                {"limit", limit},
                {"offset", offset},
                {"has_more", has_more}}}});
    return Status::Ok();
  });
}

void PipelinesApi::ServeGrid(const httplib::Request& req, httplib::Response& res) {
  std::shared_ptr<const PipelinesFile> file;
  const PipelineSpec* pipeline = FindPipeline(req, res, file);
  if (pipeline == nullptr) return;
  ParamReader params(req.params, {"limit", "offset"});
  GridPage page;
  page.limit = params.Integer("limit", 1, kMaxGridRuns).value_or(kDefaultPage);
  page.offset = params.Integer("offset", 0, kMaxOffset).value_or(0);
  if (params.bad()) return SendBadParameter(res, *params.bad());
  WithStore(req, res, [&](Store& store, bool has_schema) -> Status {
    if (has_schema) {
      SW_ASSIGN_OR_RETURN(page.runs, store.ListRuns({.pipeline = pipeline->name,
                                                     .limit = static_cast<int>(page.limit + 1),
                                                     .offset = static_cast<int>(page.offset)}));
    }
    page.has_more = static_cast<int64_t>(page.runs.size()) > page.limit;
    if (page.has_more) page.runs.pop_back();
    if (!page.runs.empty()) {
      std::vector<std::string> run_ids;
      run_ids.reserve(page.runs.size());
      for (const RunRecord& run : page.runs) run_ids.push_back(run.run_id);
      SW_ASSIGN_OR_RETURN(page.tasks, store.ListTaskSummaries(pipeline->name, run_ids));
    }
    SendJsonText(res, 200, GridBody(*pipeline, page, clock_.Now()));
    return Status::Ok();
  });
}

void PipelinesApi::ServePartitions(const httplib::Request& req, httplib::Response& res) {
  std::shared_ptr<const PipelinesFile> file;
  const PipelineSpec* pipeline = FindPipeline(req, res, file);
  if (pipeline == nullptr) return;
  ParamReader params(req.params, {"from", "to"});
  const auto range = CalendarRange(params, *pipeline, clock_.Now());
  if (params.bad()) return SendBadParameter(res, *params.bad());
  if (!pipeline->partitions) {
    return SendJson(
        res, 200,
        {{"data",
          {{"pipeline", pipeline->name}, {"partitioned", false}, {"days", json::array()}}}});
  }
  WithStore(req, res, [&](Store& store, bool has_schema) -> Status {
    std::vector<PartitionRecord> days;
    if (has_schema) {
      SW_ASSIGN_OR_RETURN(days, store.ListPartitions(pipeline->name, *range));
    }
    SendJson(res, 200, {{"data", PartitionsJson(*pipeline, *range, days)}});
    return Status::Ok();
  });
}

void PipelinesApi::ServeRun(const httplib::Request& req, httplib::Response& res) {
  ParamReader params(req.params, {});
  if (params.bad()) return SendBadParameter(res, *params.bad());
  const std::string run_id = req.matches[1];
  WithStore(req, res, [&](Store& store, bool has_schema) -> Status {
    SW_ASSIGN_OR_RETURN(auto run, RunOr404(store, has_schema, run_id, res));
    if (!run) return Status::Ok();
    SW_ASSIGN_OR_RETURN(auto tasks, store.ListTaskInstances(run_id));
    SW_ASSIGN_OR_RETURN(auto tries, store.ListTries(run_id));
    SendJson(res, 200, {{"data", RunDetailJson(*run, tasks, tries, clock_.Now())}});
    return Status::Ok();
  });
}

void PipelinesApi::ServeLog(const httplib::Request& req, httplib::Response& res) {
  const std::string run_id = req.matches[1], task = req.matches[2];
  ParamReader params(req.params, {"tail", "offset"});
  LogWindow window{.tail_lines = params.Integer("tail", 1, kMaxLogTailLines),
                   .offset = params.Integer("offset", 0, int64_t{1} << 53)};
  const auto try_number = ParseWholeNumber(req.matches[3].str());
  if (!try_number || *try_number < 1 || *try_number > INT32_MAX)
    params.Refuse("try", fmt::format("{} is not a try number", QuoteValue(req.matches[3].str())),
                  "tries are numbered from 1 (the run's tasks list them)");
  if (window.tail_lines && window.offset)
    params.Refuse("tail", "give tail or offset, not both",
                  "tail=N for the last lines, then offset=X-Log-Next-Offset to follow");
  if (params.bad()) return SendBadParameter(res, *params.bad());
  std::optional<TryRecord> attempt;
  WithStore(req, res, [&](Store& store, bool has_schema) -> Status {
    std::vector<TryRecord> tries;
    if (has_schema) {
      SW_ASSIGN_OR_RETURN(tries, store.ListTries(run_id, task));
    }
    for (TryRecord& candidate : tries)
      if (candidate.try_number == *try_number) attempt = std::move(candidate);
    if (attempt) return Status::Ok();
    std::optional<RunRecord> run;
    if (has_schema) {
      SW_ASSIGN_OR_RETURN(run, store.GetRun(run_id));
    }
    const bool task_known = !tries.empty();
    SendError(res, 404, "not_found",
              !run ? fmt::format("no run '{}'", run_id)
              : task_known
                  ? fmt::format("task '{}' of run {} has no try {}", task, run_id, *try_number)
                  : fmt::format("run {} has no try of a task '{}'", run_id, task),
              fmt::format("GET /api/v1/runs/{} lists its tasks and their tries", run_id));
    return Status::Ok();
  });
  if (!attempt) return;  // answered
  auto chunk = ReadLogChunk(attempt->log_path, window);
  if (chunk.ok()) return SendLogChunk(res, *chunk, attempt->state);
  if (chunk.status().code() == ErrorCode::kInvalidInput) {
    return SendBadParameter(res, {"offset", chunk.status().message(), chunk.status().hint()});
  }
  if (chunk.status().code() == ErrorCode::kNotFound && attempt->state == TryState::kRunning) {
    return SendLogChunk(res, LogChunk{}, attempt->state);  // not written yet
  }
  SendFailure(req, res, chunk.status());
}

void PipelinesApi::ServeRequest(const httplib::Request& req, httplib::Response& res) {
  ParamReader params(req.params, {});
  if (params.bad()) return SendBadParameter(res, *params.bad());
  const std::string request_id = req.matches[1];
  WithStore(req, res, [&](Store& store, bool has_schema) -> Status {
    std::optional<SchedulerRequest> request;
    if (has_schema) {
      SW_ASSIGN_OR_RETURN(request, store.GetRequest(request_id));
    }
    if (!request) {
      SendError(res, 404, "not_found", fmt::format("no request '{}'", request_id),
                "use the request_id a write answered with");
      return Status::Ok();
    }
    SendJson(res, 200, {{"data", RequestJson(*request)}});
    return Status::Ok();
  });
}

void PipelinesApi::ServeOperator(const httplib::Request& req, httplib::Response& res) {
  ParamReader params(req.params, {});
  if (params.bad()) return SendBadParameter(res, *params.bad());
  const TokenCheck check = token_.Check(req.get_header_value("Authorization"));
  json body = {{"writes_enabled", token_.configured()},
               {"authorized", check == TokenCheck::kAllowed}};
  if (!token_.configured()) {
    body["hint"] =
        "start `silverwork serve` with SILVERWORK_API_TOKEN set, or name a token file in "
        "[serve] api_token_file";
  }
  SendJson(res, 200, {{"data", std::move(body)}});
}

}  // namespace silverwork::serve
