// PipelinesApi: the write endpoints. Each checks the operator token, then
// what the scheduler would refuse (an unknown pipeline or run, a day not
// ended, a bad range), and inserts a request for the scheduler; the answer
// comes later at GET /api/v1/requests/{id}.
#include <fmt/format.h>

#include "scheduler/run_planner.h"
#include "serve/api_params.h"
#include "serve/pipelines_api.h"
#include "serve/pipelines_views.h"
#include "serve/responses.h"

namespace silverwork::serve {
namespace {

using nlohmann::json;
using namespace scheduler;  // NOLINT(google-build-using-namespace): the API over its store

constexpr std::string_view kReprocessModes[] = {"missing", "failed", "all"};
constexpr const char* kRequestedBy = "api";

// The request's JSON body as parameters, restricted to `allowed`; nullopt
// after answering 400.
std::optional<ParamReader> ReadBody(const httplib::Request& req, httplib::Response& res,
                                    std::initializer_list<std::string_view> allowed) {
  auto body = BodyParameters(req.body);
  if (const auto* bad = std::get_if<BadParameter>(&body)) {
    SendBadParameter(res, *bad);
    return std::nullopt;
  }
  ParamReader params(std::get<QueryParams>(std::move(body)), allowed);
  if (!req.params.empty()) {
    params.Refuse(req.params.begin()->first, "write requests take their parameters in the body",
                  R"(send them as a JSON object, e.g. {"date": "2025-03-30"})");
  }
  return params;
}

// A plan the scheduler would refuse for what was asked, as a 400 naming it.
void SendRefusedPlan(httplib::Response& res, const Status& refusal, std::string_view parameter) {
  SendBadParameter(res, {std::string(parameter), refusal.message(), refusal.hint()});
}

bool IsFailure(TaskState state) {
  return state == TaskState::kFailed || state == TaskState::kUpstreamFailed;
}

}  // namespace

Result<std::string> PipelinesApi::SubmitThroughWritableConnection(const SchedulerRequest& request) {
  WarehouseOptions writable = options_.warehouse;
  writable.read_only = false;
  SW_ASSIGN_OR_RETURN(auto warehouse, options_.open_warehouse(writable));
  SeededRandom random;
  Store store(*warehouse, clock_, random);
  SW_ASSIGN_OR_RETURN(bool has_schema, store.HasSchema());
  if (!has_schema) {
    return Status(ErrorCode::kIO, "the scheduler has not set up its tables in this warehouse",
                  "start `silverwork scheduler` once on this warehouse; requests wait for it");
  }
  return store.SubmitRequest(request);
}

bool PipelinesApi::Authorized(const httplib::Request& req, httplib::Response& res) {
  switch (token_.Check(req.get_header_value("Authorization"))) {
    case TokenCheck::kAllowed:
      return true;
    case TokenCheck::kNotConfigured:
      SendError(res, 403, "writes_disabled", "this server accepts no writes: no API token is set",
                "start `silverwork serve` with SILVERWORK_API_TOKEN set (at least 16 characters, "
                "e.g. from `openssl rand -hex 32`), or name a file holding it in [serve] "
                "api_token_file; then send it as `Authorization: Bearer <token>`");
      return false;
    case TokenCheck::kMissing:
      res.set_header("WWW-Authenticate", R"(Bearer realm="silverwork")");
      SendError(res, 401, "unauthorized", "this request needs the operator token",
                "send `Authorization: Bearer <token>` with the token the server was given");
      return false;
    case TokenCheck::kWrong:
      res.set_header("WWW-Authenticate", R"(Bearer realm="silverwork", error="invalid_token")");
      SendError(res, 401, "unauthorized", "the operator token is not the server's",
                "send the token the server was given (SILVERWORK_API_TOKEN or its token file)");
      return false;
  }
  return false;
}

void PipelinesApi::Trigger(const httplib::Request& req, httplib::Response& res) {
  if (!Authorized(req, res)) return;
  std::shared_ptr<const PipelinesFile> file;
  const PipelineSpec* pipeline = FindPipeline(req, res, file);
  if (pipeline == nullptr) return;
  auto params = ReadBody(req, res, {"date"});
  if (!params) return;
  const auto date = params->Day("date");
  if (params->bad()) return SendBadParameter(res, *params->bad());
  const auto now = std::chrono::floor<std::chrono::seconds>(clock_.Now());
  auto plan = PlanTriggeredRun(*pipeline, now, date);
  if (!plan.ok()) return SendRefusedPlan(res, plan.status(), "date");
  SchedulerRequest request{.kind = RequestKind::kTrigger, .pipeline = pipeline->name, .date = date};
  json extra;
  if (!plan->days.empty())
    extra["days"] = {{"from", plan->days.front().Iso()}, {"to", plan->days.back().Iso()}};
  Submit(req, res, std::move(request), extra);
}

void PipelinesApi::Backfill(const httplib::Request& req, httplib::Response& res) {
  if (!Authorized(req, res)) return;
  std::shared_ptr<const PipelinesFile> file;
  const PipelineSpec* pipeline = FindPipeline(req, res, file);
  if (pipeline == nullptr) return;
  auto params = ReadBody(req, res, {"from", "to", "reprocess"});
  if (!params) return;
  const auto from = params->Day("from");
  const auto to = params->Day("to");
  const auto reprocess = params->Choice("reprocess", kReprocessModes);
  if (!params->bad() && !from) params->Refuse("from", "missing", "give the first day, YYYY-MM-DD");
  if (!params->bad() && !to) params->Refuse("to", "missing", "give the last day, YYYY-MM-DD");
  if (params->bad()) return SendBadParameter(res, *params->bad());
  if (*to < *from) {
    return SendBadParameter(
        res,
        {"to", fmt::format("to {} is before from {}", to->Iso(), from->Iso()), "give from <= to"});
  }
  SchedulerRequest request{
      .kind = RequestKind::kBackfill, .pipeline = pipeline->name, .range = DayRange{*from, *to}};
  request.reprocess = *ParseReprocessMode(reprocess.value_or("missing"));
  WithStore(req, res, [&](Store& store, bool has_schema) -> Status {
    PartitionMap days;
    if (has_schema) {
      SW_ASSIGN_OR_RETURN(days, store.PartitionMapOf(pipeline->name));
    }
    const auto now = std::chrono::floor<std::chrono::seconds>(clock_.Now());
    auto plan = PlanBackfill(*pipeline, *request.range, request.reprocess, days, now);
    if (!plan.ok()) {
      SendRefusedPlan(res, plan.status(), pipeline->partitions ? "to" : "pipeline");
      return Status::Ok();
    }
    int64_t queued = 0;
    for (const BackfillDay& day : plan->days) queued += day.queue ? 1 : 0;
    Submit(req, res, request, {{"days_to_queue", queued}});
    return Status::Ok();
  });
}

void PipelinesApi::SetPaused(const httplib::Request& req, httplib::Response& res, bool paused) {
  if (!Authorized(req, res)) return;
  std::shared_ptr<const PipelinesFile> file;
  const PipelineSpec* pipeline = FindPipeline(req, res, file);
  if (pipeline == nullptr) return;
  auto params = ReadBody(req, res, {});
  if (!params) return;
  if (params->bad()) return SendBadParameter(res, *params->bad());
  Submit(
      req, res,
      {.kind = paused ? RequestKind::kPause : RequestKind::kUnpause, .pipeline = pipeline->name});
}

void PipelinesApi::Clear(const httplib::Request& req, httplib::Response& res) {
  if (!Authorized(req, res)) return;
  auto params = ReadBody(req, res, {});
  if (!params) return;
  if (params->bad()) return SendBadParameter(res, *params->bad());
  const std::string run_id = req.matches[1];
  WithStore(req, res, [&](Store& store, bool has_schema) -> Status {
    SW_ASSIGN_OR_RETURN(auto run, RunOr404(store, has_schema, run_id, res));
    if (!run) return Status::Ok();
    SW_ASSIGN_OR_RETURN(auto tasks, store.ListTaskInstances(run_id));
    const bool has_failed = std::any_of(tasks.begin(), tasks.end(),
                                        [](const auto& task) { return IsFailure(task.state); });
    if (!has_failed) {
      SendError(res, 409, "conflict",
                fmt::format("run {} has no failed task to rerun (it is {})", run_id,
                            RunStateName(run->state)),
                "clear reruns the failed and upstream-failed tasks of a run; trigger a new run "
                "to collect again");
      return Status::Ok();
    }
    Submit(req, res, {.kind = RequestKind::kClear, .pipeline = run->pipeline, .run_id = run_id});
    return Status::Ok();
  });
}

void PipelinesApi::Submit(const httplib::Request& req, httplib::Response& res,
                          SchedulerRequest request, const json& extra) {
  request.requested_by = kRequestedBy;
  auto submitted = SubmitThroughWritableConnection(request);
  if (!submitted.ok()) {
    return SendFailure(
        req, res, AsServerFailure(submitted.status().WithContext("cannot record the request")));
  }
  json body = {{"request_id", *submitted},
               {"kind", RequestKindName(request.kind)},
               {"pipeline", request.pipeline},
               {"state", "pending"},
               {"poll", RequestPath(*submitted)}};
  if (!request.run_id.empty()) body["run_id"] = request.run_id;
  if (extra.is_object()) body.update(extra);
  res.set_header("Location", RequestPath(*submitted));
  SendJson(res, 202, {{"data", std::move(body)}});
}

}  // namespace silverwork::serve
