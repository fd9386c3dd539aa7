// silverwork standalone [--days N] [--host H] [--port P] [--web-dir D]:
// the whole system in one command, as `airflow standalone` brings Airflow
// up: the built-in simulator (when no service key and no base URL are
// configured), the scheduler, and the dashboard with its API.
//
// It starts the simulator in this process (loopback, port 0) and names it
// in SILVERWORK_SIMULATOR_URL for the task processes; asks the scheduler
// for the first catch-up (a backfill of the last N ended days of every
// partitioned pipeline, reprocessing only missing days, and a run of every
// pipeline with a projects sensor); starts serve and prints its URL; then
// runs the scheduler on this thread with a StartupGate (collections first,
// then the whole-project build, then everything). A thread of its own
// prints the catch-up's progress, a line when something changes. Each
// task that ended, successful or not, asks serve to look now
// (Server::LookNow): it reloads the status part (raw rows, newest posting,
// runs), so a collection shows at once (a failed one's committed pages and
// its failed run too), and the marts only when the build generation moved: a build
// that ended, never one still running (a collection can end while another
// pipeline's build is between two models). Serve's own look at the
// generation every reload interval stays on, for builds that fail after
// building something.
// SIGINT/SIGTERM stop the scheduler as `silverwork scheduler` stops (its
// running tasks stopped and marked for retry, the lease released), then
// serve and the simulator. A restart asks again: days already done are
// not run again, and the sensor skips files it has already collected.
#include <fmt/format.h>
#include <pthread.h>
#include <spdlog/spdlog.h>

#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "cli/serve_setup.h"
#include "cli/wiring.h"
#include "pipeline/simulator_endpoints.h"
#include "scheduler/run_planner.h"
#include "scheduler/scheduler_loop.h"
#include "scheduler/scheduler_store.h"
#include "simulator/simulator.h"

namespace silverwork {
namespace {

using scheduler::RequestKind;
using scheduler::SchedulerRequest;

struct StandaloneFlags {
  int days = 30;
  ServeFlags serve;
};

// The simulator this process serves when nothing real is configured; null
// when a key or a base URL is (or SILVERWORK_SIMULATOR_URL names one).
Result<std::unique_ptr<Simulator>> StartSimulatorIfNeeded(Config& config, Clock& clock) {
  const bool configured = !config.service_key.empty() || !config.postings.base_url.empty() ||
                          !config.projects.base_url.empty();
  if (configured) return std::unique_ptr<Simulator>();
  SimulatorOptions options;
  options.service_key = std::string(kSimulatorDemoKey);
  options.clock = &clock;
  SW_ASSIGN_OR_RETURN(std::unique_ptr<Simulator> simulator, Simulator::Start(options));
  PointAtSimulator(config, simulator->base_url());
  setenv(kSimulatorUrlVariable, simulator->base_url().c_str(), 1);  // for the task processes
  return simulator;
}

// The first catch-up's requests: the last `days` ended days of every
// partitioned pipeline, and a run of every pipeline with a projects sensor.
std::vector<SchedulerRequest> CatchUpRequests(const scheduler::PipelinesFile& pipelines, int days,
                                              Clock& clock) {
  std::vector<SchedulerRequest> requests;
  const auto now = std::chrono::floor<std::chrono::seconds>(clock.Now());
  for (const scheduler::PipelineSpec& pipeline : pipelines.pipelines) {
    bool sensor = false;
    for (const scheduler::TaskSpec& task : pipeline.tasks)
      sensor = sensor || task.kind == TaskKind::kDiscoverProjects;
    if (pipeline.partitions) {
      const Date last = scheduler::LastEndedDay(*pipeline.partitions->zone, now);
      requests.push_back({.kind = RequestKind::kBackfill,
                          .pipeline = pipeline.name,
                          .range = scheduler::DayRange{last.AddDays(1 - days), last},
                          .requested_by = "standalone"});
    } else if (sensor) {
      requests.push_back(
          {.kind = RequestKind::kTrigger, .pipeline = pipeline.name, .requested_by = "standalone"});
    }
  }
  return requests;
}

Result<std::vector<std::string>> SubmitCatchUp(const Config& config, Clock& clock,
                                               const std::vector<SchedulerRequest>& requests) {
  SW_ASSIGN_OR_RETURN(
      std::unique_ptr<Warehouse> warehouse,
      OpenWarehouse({.engine = config.warehouse_engine, .location = config.warehouse_path}));
  scheduler::SeededRandom random;
  scheduler::SchedulerStore store(*warehouse, clock, random);
  SW_RETURN_IF_ERROR(store.EnsureSchema());
  std::vector<std::string> ids;
  for (const SchedulerRequest& request : requests) {
    SW_ASSIGN_OR_RETURN(std::string id, store.SubmitRequest(request));
    ids.push_back(std::move(id));
  }
  return ids;
}

// A thread that runs until Stop(): the mutex, condition variable and
// stop flag of the helper thread below.
class StoppableThread {
 public:
  void Stop() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

 protected:
  ~StoppableThread() { Stop(); }

  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

// Prints the catch-up's progress from the store, on its own connection and
// thread, a line whenever a request is answered or one of its runs
// changes, until every run is final or Stop().
class CatchUpProgress : public StoppableThread {
 public:
  CatchUpProgress(const Config& config, Clock& clock, std::vector<std::string> request_ids,
                  std::string dashboard_url)
      : config_(config),
        clock_(clock),
        request_ids_(std::move(request_ids)),
        dashboard_url_(std::move(dashboard_url)) {
    thread_ = std::thread([this] { Watch(); });
  }
  ~CatchUpProgress() { Stop(); }

 private:
  void Watch() {
    auto warehouse =
        OpenWarehouse({.engine = config_.warehouse_engine, .location = config_.warehouse_path});
    if (!warehouse.ok()) {
      spdlog::warn("catch-up progress: {}", warehouse.status().ToString());
      return;
    }
    scheduler::SeededRandom random;
    scheduler::SchedulerStore store(**warehouse, clock_, random);
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      lock.unlock();
      Result<bool> done = Look(store);
      lock.lock();
      if (done.ok() && *done) return;
      if (!done.ok()) spdlog::debug("catch-up progress: {}", done.status().ToString());
      wake_.wait_for(lock, std::chrono::seconds(1), [this] { return stopping_; });
    }
  }

  // One look at the requests and their runs; true when all are final.
  Result<bool> Look(scheduler::SchedulerStore& store) {
    bool all_final = true;
    std::map<scheduler::RunState, int> ended;
    for (const std::string& id : request_ids_) {
      SW_ASSIGN_OR_RETURN(std::optional<SchedulerRequest> request, store.GetRequest(id));
      if (!request || request->state == scheduler::RequestState::kPending) {
        all_final = false;
        continue;
      }
      Say(id, fmt::format("catch-up: {} {}: {}", request->pipeline,
                          scheduler::RequestKindName(request->kind), request->message));
      for (const std::string& run_id : request->run_ids) {
        SW_ASSIGN_OR_RETURN(std::optional<scheduler::RunRecord> run, store.GetRun(run_id));
        if (!run) continue;
        SW_ASSIGN_OR_RETURN(std::vector<scheduler::TaskInstanceRecord> tasks,
                            store.ListTaskInstances(run_id));
        std::string line = fmt::format("catch-up: {} run {}: {}", run->pipeline, run_id,
                                       scheduler::RunStateName(run->state));
        for (const auto& task : tasks)
          line += fmt::format("{} {} {}", &task == &tasks.front() ? " —" : ",", task.task,
                              scheduler::TaskStateName(task.state));
        Say(run_id, line);
        const bool final = run->state != scheduler::RunState::kQueued &&
                           run->state != scheduler::RunState::kRunning;
        all_final = all_final && final;
        ++ended[run->state];
      }
    }
    if (all_final) {
      using scheduler::RunState;
      std::printf("catch-up finished: %d succeeded, %d failed, %d skipped; the dashboard: %s\n",
                  ended[RunState::kSuccess], ended[RunState::kFailed], ended[RunState::kSkipped],
                  dashboard_url_.c_str());
      std::fflush(stdout);
    }
    return all_final;
  }

  // Prints `line` when it differs from the last one printed for `key`.
  void Say(const std::string& key, const std::string& line) {
    std::string& last = said_[key];
    if (last == line) return;
    last = line;
    std::printf("%s\n", line.c_str());
    std::fflush(stdout);
  }

  const Config& config_;
  Clock& clock_;
  const std::vector<std::string> request_ids_;
  const std::string dashboard_url_;
  std::map<std::string, std::string> said_;
};

Result<int> RunStandalone(Config config, const StandaloneFlags& flags, CliContext& context) {
  // Blocked before any thread starts (they inherit the mask): the
  // scheduler's signalfd on this thread is the only one to see them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  Clock& clock = *context.clock;
  SW_ASSIGN_OR_RETURN(std::unique_ptr<Simulator> simulator, StartSimulatorIfNeeded(config, clock));
  scheduler::TimeZoneDatabase zones;
  SW_ASSIGN_OR_RETURN(scheduler::PipelinesFile pipelines,
                      scheduler::LoadCheckedPipelines(config, zones));
  SW_ASSIGN_OR_RETURN(std::vector<std::string> request_ids,
                      SubmitCatchUp(config, clock, CatchUpRequests(pipelines, flags.days, clock)));

  SW_ASSIGN_OR_RETURN(serve::ServeOptions serve_options,
                      ServeOptionsFor(config, flags.serve, clock));
  serve_options.start_empty = true;
  SW_ASSIGN_OR_RETURN(std::unique_ptr<serve::Server> server,
                      serve::Server::Create(std::move(serve_options)));
  SW_RETURN_IF_ERROR(server->Start());
  const std::string url = fmt::format("http://{}:{}/", flags.serve.host, server->port());
  std::printf("dashboard: %s\n", url.c_str());
  const std::string sources =
      simulator ? fmt::format("the built-in simulator at {} (no service key configured)",
                              simulator->base_url())
                : "as configured (the service key from DATA_GO_KR_SERVICE_KEY or the key file)";
  std::printf("sources: %s\n", sources.c_str());
  std::printf("catching up the last %d days; Ctrl-C stops everything (nothing is lost)\n",
              flags.days);
  std::fflush(stdout);

  CatchUpProgress progress(config, clock, std::move(request_ids), url);
  serve::Server& dashboard = *server;
  Result<int> ran = scheduler::RunScheduler(
      config, clock,
      {.config_path = config.source_path,
       .clock_shifted = context.clock_shifted,
       .startup_gate = true,
       .on_try_ended = [&dashboard](const std::string&, const std::string&, scheduler::TryState) {
         dashboard.LookNow();
       }});
  progress.Stop();
  server->Stop();
  spdlog::info("standalone stopped");
  return ran;
}

}  // namespace

void AddStandaloneCommand(CLI::App& app, CliContext& context) {
  auto flags = std::make_shared<StandaloneFlags>();
  CLI::App* command = app.add_subcommand(
      "standalone",
      "the main job: simulator (unless a key is configured), scheduler and dashboard in one "
      "process, catching up the last N days first");
  command->add_option("--days", flags->days, "days to catch up (KST days that have ended)")
      ->capture_default_str()
      ->check(CLI::Range(1, scheduler::kMaxBackfillDays));
  AddServeFlags(*command, flags->serve, /*all=*/false);
  command->callback([&context, flags] {
    auto config = StartCommand(context);
    if (!config) return;
    Result<int> ran = RunStandalone(std::move(config).value(), *flags, context);
    context.exit_code = ran.ok() ? *ran : ReportFailure(ran.status());
  });
}

}  // namespace silverwork
