#include "scheduler/scheduler_loop.h"

#include <fmt/format.h>
#include <poll.h>
#include <pthread.h>
#include <spdlog/spdlog.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <csignal>
#include <cstring>
#include <mutex>
#include <thread>

#include "http/http_client.h"
#include "scheduler/alerts_dispatcher.h"
#include "scheduler/process_info.h"
#include "scheduler/process_launcher.h"
#include "scheduler/scheduler.h"

namespace silverwork::scheduler {
namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;

// Tick errors in a row (the warehouse busy or unreachable) before the
// scheduler gives up; about this many poll intervals.
constexpr int kMaxFailedTicks = 30;

// SIGTERM and SIGINT as a readable descriptor. Blocks them in the calling
// thread (and the threads it starts later); restores the mask when done.
class SignalWatch {
 public:
  SignalWatch() {
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop, &previous_);
    fd_ = signalfd(-1, &stop, SFD_CLOEXEC | SFD_NONBLOCK);
  }
  ~SignalWatch() {
    if (fd_ >= 0) close(fd_);
    pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
  }
  SignalWatch(const SignalWatch&) = delete;
  SignalWatch& operator=(const SignalWatch&) = delete;

  int fd() const { return fd_; }
  // The signal received, or 0. Not const: reading the signalfd consumes the
  // signal this watch holds.
  int Take() {  // NOLINT(readability-make-member-function-const)
    signalfd_siginfo info{};
    return read(fd_, &info, sizeof info) == sizeof info ? static_cast<int>(info.ssi_signo) : 0;
  }

 private:
  int fd_ = -1;
  sigset_t previous_{};
};

// Waits until a task process ends, a signal comes or `timeout` passes.
void WaitForWork(const std::vector<int>& child_fds, int signal_fd, milliseconds timeout) {
  std::vector<pollfd> fds{{.fd = signal_fd, .events = POLLIN, .revents = 0}};
  for (int fd : child_fds) fds.push_back({.fd = fd, .events = POLLIN, .revents = 0});
  const int wait_ms = static_cast<int>(std::clamp<int64_t>(timeout.count(), 0, 3'600'000));
  if (poll(fds.data(), fds.size(), wait_ms) < 0 && errno != EINTR)
    spdlog::warn("waiting for work failed: {}", std::strerror(errno));
}

// Delivers queued alerts on its own thread and connection, passing again
// when the next one is due or when woken (an alert was queued).
class AlertDeliveryThread {
 public:
  AlertDeliveryThread(std::unique_ptr<Warehouse> connection, Clock& clock,
                      const AlertsConfig& alerts)
      : connection_(std::move(connection)),
        clock_(clock),
        dispatcher_(*connection_, clock, CreateHttpClient(), AlertSinksFromConfig(alerts),
                    AlertDeliveryPolicy::FromConfig(alerts)),
        thread_([this] { Loop(); }) {}
  ~AlertDeliveryThread() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_one();
    thread_.join();
  }
  AlertDeliveryThread(const AlertDeliveryThread&) = delete;
  AlertDeliveryThread& operator=(const AlertDeliveryThread&) = delete;

  void Wake() {
    {
      std::lock_guard lock(mutex_);
      woken_ = true;
    }
    wake_.notify_one();
  }

 private:
  void Loop() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      woken_ = false;
      lock.unlock();
      auto pass = dispatcher_.DeliverDue();
      milliseconds wait = std::chrono::minutes(1);
      if (!pass.ok()) spdlog::warn("alert delivery: {}", pass.status().ToString());
      if (pass.ok() && pass->next_due)
        wait = std::min(wait, duration_cast<milliseconds>(*pass->next_due - clock_.Now()));
      lock.lock();
      wake_.wait_for(lock, std::max(wait, milliseconds(0)), [this] { return stopping_ || woken_; });
    }
  }

  std::unique_ptr<Warehouse> connection_;
  Clock& clock_;
  AlertDispatcher dispatcher_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool woken_ = false;
  bool stopping_ = false;
  std::thread thread_;  // last: starts once everything above is built
};

LeaseClaim ClaimForThisProcess() {
  const std::string host = ThisHostName();
  SeededRandom random;
  const auto nonce = static_cast<uint32_t>(random.NextUnit() * 4294967296.0);
  return {fmt::format("scheduler:{}:{}:{:08x}", host, getpid(), nonce), host, getpid()};
}

// Takes the lease; a CLI verb holding it for a moment is waited for.
Status TakeLease(Scheduler& scheduler, SignalWatch& signals) {
  for (;;) {
    SW_ASSIGN_OR_RETURN(LeaseOutcome outcome, scheduler.AcquireLease());
    if (outcome.acquired) return Status::Ok();
    if (!outcome.holder.holder_id.starts_with("cli:"))
      return Scheduler::LeaseHeldError(outcome.holder);
    spdlog::info("`{}` holds the lease for a moment; waiting", outcome.holder.holder_id);
    WaitForWork({}, signals.fd(), milliseconds(200));
    if (signals.Take() != 0)
      return Status(ErrorCode::kCancelled, "stopped while waiting for the lease");
  }
}

struct Shutdown {
  bool requested = false;
  bool tries_stopped = false;
  std::chrono::steady_clock::time_point grace_ends;
};

void OnSignal(int signal_number, Scheduler& scheduler, Shutdown& shutdown, Clock& clock,
              const SchedulerConfig& config) {
  if (!shutdown.requested) {
    shutdown.requested = true;
    shutdown.grace_ends = clock.Monotonic() + milliseconds(config.shutdown_grace_ms);
    scheduler.StopStartingTries();
    spdlog::info("{}: no new tasks; {} running may finish within {} ms, then are stopped",
                 strsignal(signal_number), scheduler.RunningTries(), config.shutdown_grace_ms);
    return;
  }
  if (!shutdown.tries_stopped) {
    spdlog::info("{} again: stopping the running tasks now", strsignal(signal_number));
    shutdown.tries_stopped = true;
    scheduler.StopRunningTries();
  }
}

milliseconds UntilNextDue(const TickReport& report, Clock& clock, const Shutdown& shutdown,
                          milliseconds poll_interval) {
  milliseconds wait = duration_cast<milliseconds>(report.next_due - clock.Now());
  if (shutdown.requested && !shutdown.tries_stopped)
    wait = std::min(wait, duration_cast<milliseconds>(shutdown.grace_ends - clock.Monotonic()));
  // +1 ms: wake just after the instant, not a hair before it.
  return std::clamp(wait + milliseconds(1), milliseconds(0), poll_interval);
}

struct LoopEnd {
  bool lease_lost = false;
  bool gave_up = false;
};

LoopEnd Loop(Scheduler& scheduler, ProcessTaskLauncher& launcher, SignalWatch& signals,
             AlertDeliveryThread* delivery, Clock& clock, const Config& config, bool once) {
  const milliseconds poll_interval(config.scheduler.poll_interval_ms);
  Shutdown shutdown;
  int failed_ticks = 0;
  for (;;) {
    Result<TickReport> report = scheduler.Tick();
    if (!report.ok()) {
      spdlog::warn("scheduler pass failed (retried): {}", report.status().ToString());
      if (++failed_ticks >= kMaxFailedTicks) return {.gave_up = true};
      report = TickReport{.next_due = clock.Now() + poll_interval};
    } else {
      failed_ticks = 0;
    }
    if (report->lease_lost) return {.lease_lost = true};
    if (delivery != nullptr && report->alerts_queued > 0) delivery->Wake();
    // Done once nothing runs, and the last pass went through (a pass that
    // failed may have left work undone).
    const bool idle = scheduler.RunningTries() == 0 && failed_ticks == 0;
    if (idle && (once || shutdown.requested)) return {};
    if (shutdown.requested && !shutdown.tries_stopped && clock.Monotonic() >= shutdown.grace_ends) {
      shutdown.tries_stopped = true;
      scheduler.StopRunningTries();
      continue;
    }
    WaitForWork(launcher.ExitFds(), signals.fd(),
                UntilNextDue(*report, clock, shutdown, poll_interval));
    if (int signal_number = signals.Take(); signal_number != 0)
      OnSignal(signal_number, scheduler, shutdown, clock, config.scheduler);
  }
}

// `once`: deliver what is due now on this thread; retries wait for the next run.
void DeliverDueAlerts(Warehouse& warehouse, Clock& clock, const AlertsConfig& alerts) {
  std::vector<AlertSink> sinks = AlertSinksFromConfig(alerts);
  if (sinks.empty()) return;
  AlertDispatcher dispatcher(warehouse, clock, CreateHttpClient(), std::move(sinks),
                             AlertDeliveryPolicy::FromConfig(alerts));
  auto pass = dispatcher.DeliverDue();
  if (!pass.ok()) spdlog::warn("alert delivery: {}", pass.status().ToString());
}

int ExitCodeOf(const LoopEnd& end, const TaskTally& tally, bool once) {
  if (end.lease_lost || end.gave_up) return kTaskExitFailure;
  if (!once) return 0;
  if (tally.failed > 0) return kTaskExitFailure;
  return tally.deferred > 0 ? kSchedulerExitDeferred : 0;
}

}  // namespace

Result<int> RunScheduler(const Config& config, Clock& clock, const SchedulerRunOptions& options) {
  TimeZoneDatabase zones;
  SW_ASSIGN_OR_RETURN(PipelinesFile pipelines, LoadCheckedPipelines(config, zones));
  SignalWatch signals;
  SW_ASSIGN_OR_RETURN(
      std::unique_ptr<Warehouse> warehouse,
      OpenWarehouse({.engine = config.warehouse_engine, .location = config.warehouse_path}));
  ProcessTaskLauncher launcher(clock, {.config_path = options.config_path,
                                       .pass_clock = options.clock_shifted,
                                       .kill_grace = milliseconds(config.scheduler.kill_grace_ms)});
  AlertOutbox outbox(*warehouse, clock, AlertSinksFromConfig(config.alerts),
                     {.base_url = config.alerts.base_url,
                      .on_success = config.alerts.on_success,
                      .on_stale_source = config.alerts.on_stale_source});
  SeededRandom random;
  StartupGate gate(pipelines);
  SchedulerOptions scheduler_options =
      SchedulerOptions::FromConfig(config.scheduler, ClaimForThisProcess());
  if (options.startup_gate) scheduler_options.gate = &gate;
  scheduler_options.on_try_ended = options.on_try_ended;
  Scheduler scheduler(*warehouse, clock, random, pipelines, launcher, outbox,
                      std::move(scheduler_options));
  SW_RETURN_IF_ERROR(TakeLease(scheduler, signals));
  spdlog::info("scheduler started: {} pipelines from {}, warehouse {}", pipelines.pipelines.size(),
               pipelines.path, config.warehouse_path);
  Status recovered = scheduler.Recover();
  if (!recovered.ok()) {
    (void)scheduler.ReleaseLease();
    return recovered;
  }
  std::unique_ptr<AlertDeliveryThread> delivery;
  if (!options.once && !AlertSinksFromConfig(config.alerts).empty()) {
    SW_ASSIGN_OR_RETURN(std::unique_ptr<Warehouse> peer, warehouse->OpenPeer());
    delivery = std::make_unique<AlertDeliveryThread>(std::move(peer), clock, config.alerts);
  }
  const LoopEnd end =
      Loop(scheduler, launcher, signals, delivery.get(), clock, config, options.once);
  delivery.reset();
  if (!end.lease_lost) {
    if (options.once) DeliverDueAlerts(*warehouse, clock, config.alerts);
    Status released = scheduler.ReleaseLease();
    if (!released.ok()) spdlog::warn("cannot release the lease: {}", released.ToString());
  }
  const TaskTally tally = scheduler.Tally();
  spdlog::info("scheduler stopped: {} tasks succeeded, {} failed, {} deferred", tally.succeeded,
               tally.failed, tally.deferred);
  return ExitCodeOf(end, tally, options.once);
}

}  // namespace silverwork::scheduler
