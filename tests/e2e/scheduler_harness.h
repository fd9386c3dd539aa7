// The scheduler's world for end-to-end tests: the silverwork binary with a
// config and a pipelines.yml of the test's own in a temporary folder, a
// simulator on loopback (optionally behind a gate that holds getJobInfo
// calls), and ways to wait for what the processes do without sleeping:
// inotify on the folder they write to, with a pidfd so a process that dies
// first ends the wait.
#pragma once

#include <gtest/gtest.h>
#include <httplib.h>
#include <poll.h>
#include <sys/inotify.h>
#include <sys/syscall.h>

#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "../ingest/ingest_harness.h"
#include "process.h"
#include "scheduler/scheduler_store.h"
#include "warehouse/warehouse.h"

namespace silverwork::testing {

// A key no real portal would issue: it must never show up in a log, a lake
// file or an alert.
inline constexpr char kSchedulerMarkerKey[] = "SCHEDMARKER+k3y/QQsecret9==";

// Blocks until `ready()` holds, re-checking whenever something in `folder`
// changes (inotify). Returns false if `watched` (a pid, if > 0) exits first.
inline bool WaitUntil(const std::filesystem::path& folder, const std::function<bool()>& ready,
                      pid_t watched = 0) {
  const int events = inotify_init1(IN_CLOEXEC);
  inotify_add_watch(events, folder.c_str(),
                    IN_MODIFY | IN_CREATE | IN_CLOSE_WRITE | IN_MOVED_TO | IN_DELETE);
  const int process = watched > 0 ? static_cast<int>(syscall(SYS_pidfd_open, watched, 0)) : -1;
  bool satisfied = false;
  for (;;) {
    if ((satisfied = ready())) break;
    pollfd fds[2] = {{events, POLLIN, 0}, {process, POLLIN, 0}};
    poll(fds, process >= 0 ? 2 : 1, -1);
    if (process >= 0 && (fds[1].revents & POLLIN) != 0) {
      satisfied = ready();
      break;
    }
    char buffer[4096];
    ssize_t ignored = read(events, buffer, sizeof buffer);
    (void)ignored;
  }
  if (process >= 0) close(process);
  close(events);
  return satisfied;
}

// Forwards every request to the simulator, except that after `gate_after`
// getJobInfo calls it holds the next ones until Open(); held calls then
// answer 503 without ever reaching the simulator.
class GatedProxy {
 public:
  GatedProxy(int upstream_port, int gate_after)
      : upstream_port_(upstream_port), gate_after_(gate_after) {
    server_.Get(".*", [this](const httplib::Request& request, httplib::Response& response) {
      Serve(request, response);
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~GatedProxy() {
    Open();
    while (!server_.is_running()) std::this_thread::yield();
    server_.stop();
    thread_.join();
  }
  GatedProxy(const GatedProxy&) = delete;
  GatedProxy& operator=(const GatedProxy&) = delete;

  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  // Blocks until a getJobInfo call is held at the gate.
  void WaitUntilHolding() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return holding_ > 0; });
  }
  void Open() {
    std::lock_guard lock(mutex_);
    open_ = true;
    changed_.notify_all();
  }
  // getJobInfo id -> how many times it reached the simulator.
  std::map<std::string, int> DetailsForwarded() const {
    std::lock_guard lock(mutex_);
    return forwarded_;
  }

 private:
  void Serve(const httplib::Request& request, httplib::Response& response) {
    const bool detail = request.path.ends_with("/getJobInfo");
    if (detail) {
      std::unique_lock lock(mutex_);
      if (!open_ && passed_ >= gate_after_) {
        ++holding_;
        changed_.notify_all();
        changed_.wait(lock, [this] { return open_; });
        response.status = 503;
        return;
      }
      ++passed_;
      ++forwarded_[request.get_param_value("id")];
    }
    httplib::Client upstream("127.0.0.1", upstream_port_);
    auto answer = upstream.Get(request.target);
    if (!answer) {
      response.status = 502;
      return;
    }
    response.status = answer->status;
    response.set_content(answer->body, answer->get_header_value("Content-Type"));
  }

  const int upstream_port_;
  const int gate_after_;
  httplib::Server server_;
  int port_ = -1;
  std::thread thread_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  bool open_ = false;
  int passed_ = 0;
  int holding_ = 0;
  std::map<std::string, int> forwarded_;
};

// A file of the repository, by its path from the top.
inline std::string SourceFile(const std::string& relative) {
  std::ifstream in(std::string(SILVERWORK_SOURCE_DIR) + "/" + relative);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The pipelines.yml the repository ships (the main job's).
inline std::string ShippedPipelines() { return SourceFile("pipelines.yml"); }

// A world: folder, config, pipelines.yml, simulator; the binary run in it.
class SchedulerWorld {
 public:
  struct Options {
    SimulatorOptions simulator = SmallWorldOptions();
    std::string pipelines;     // pipelines.yml's text
    std::string postings_url;  // empty: the simulator's own
    std::string extra_config;  // appended to the config file
  };

  explicit SchedulerWorld(Options options) : extra_config_(options.extra_config) {
    options.simulator.service_key = kSchedulerMarkerKey;
    auto started = Simulator::Start(options.simulator);
    if (!started.ok()) throw std::runtime_error(started.status().ToString());
    simulator_ = std::move(started).value();
    std::ofstream(Path("pipelines.yml")) << options.pipelines;
    WriteConfig(options.postings_url.empty() ? simulator_->base_url() : options.postings_url);
  }

  // (Re)writes the config with the postings service at `postings_url`.
  void WriteConfig(const std::string& postings_url) {
    std::ofstream(Path("silverwork.toml"))
        << "project_dir = \"" << SILVERWORK_SOURCE_DIR << "\"\n"
        << "artifacts_dir = \"" << Path("artifacts") << "\"\n"
        << "[warehouse]\npath = \"" << Path("warehouse.db") << "\"\n"
        << "[lake]\npath = \"" << Path("lake") << "\"\nfsync = false\n"
        << "[postings]\nbase_url = \"" << postings_url << "\"\n"
        << "rows_per_page = 50\nconcurrency = 4\ncalls_per_second = 0\ncalls_per_day = 0\n"
        << "lookback_days = 1\nbatch_size = 10\nbackoff_base_ms = 5\nbackoff_max_ms = 50\n"
        << "timeout_ms = 60000\n"
        << "[projects]\nbase_url = \"" << simulator_->base_url() << "\"\n"
        << "openapi_url = \"" << simulator_->base_url() << kSimulatorProjectsDocumentPath
        << "\"\nper_page = 50\n"
        << "calls_per_second = 0\ncalls_per_day = 0\n"
        << "[scheduler]\npipelines_file = \"" << Path("pipelines.yml") << "\"\n"
        << "logs_dir = \"" << Path("logs") << "\"\npoll_interval_ms = 100\n"
        << "lease_ttl_ms = 3000\nkill_grace_ms = 1000\nshutdown_grace_ms = 1000\n"
        << extra_config_;
  }

  std::string Path(const std::string& name) const { return dir_.path() + "/" + name; }
  const std::string& folder() const { return dir_.path(); }
  Simulator& simulator() { return *simulator_; }

  // The world's clock: from `instant` on it runs in real time, and every
  // process started gets its now as SILVERWORK_NOW, so processes started at
  // different moments agree on the time (leases, ordering by time).
  void SetNow(const std::string& instant) {
    auto start = ParseIsoInstant(instant);
    ASSERT_TRUE(start.ok()) << start.status().ToString();
    clock_ = std::make_unique<ShiftedClock>(*start, DefaultClock());
  }

  // Starts the binary with `args` as of the world's clock (real time until
  // SetNow); stdout and stderr of each start go to their own files.
  std::unique_ptr<ChildProcess> Start(const std::vector<std::string>& args,
                                      std::map<std::string, std::string> env = {}) {
    ++runs_;
    std::vector<std::string> argv{SILVERWORK_BINARY, "--config", Path("silverwork.toml")};
    argv.insert(argv.end(), args.begin(), args.end());
    env.emplace("DATA_GO_KR_SERVICE_KEY", kSchedulerMarkerKey);
    env.emplace("SILVERWORK_NOW", clock_ ? scheduler::FormatStoreTime(clock_->Now()) : "");
    return std::make_unique<ChildProcess>(argv, env, OutPath(), ErrPath());
  }
  int Run(const std::vector<std::string>& args, std::map<std::string, std::string> env = {}) {
    return Start(args, std::move(env))->Wait();
  }
  // Output of the last Start/Run.
  std::string out() const { return ReadFile(OutPath()); }
  std::string err() const { return ReadFile(ErrPath()); }
  std::string ErrPath() const { return Path("err-" + std::to_string(runs_) + ".txt"); }
  std::string OutPath() const { return Path("out-" + std::to_string(runs_) + ".txt"); }

  // Blocks until the file at `path` (in the world's folder, e.g. a start's
  // ErrPath()) holds `text`; false if `process` exits first.
  bool WaitForText(const std::string& path, const std::string& text,
                   const ChildProcess& process) const {
    return WaitUntil(
        folder(), [&] { return ReadFile(path).find(text) != std::string::npos; }, process.pid());
  }

  std::unique_ptr<Warehouse> OpenWorldWarehouse() const {
    auto opened = OpenWarehouse({.engine = "sqlite", .location = Path("warehouse.db")});
    if (!opened.ok()) throw std::runtime_error(opened.status().ToString());
    return std::move(opened).value();
  }
  // One value of a query, as text.
  std::string Query(const std::string& sql) const {
    auto result = OpenWorldWarehouse()->QueryAll(sql);
    EXPECT_TRUE(result.ok()) << result.status().ToString();
    return result.ok() && !result->rows.empty() ? ValueToString(result->rows[0][0]) : "";
  }
  // "day=status@run" for each day of the pipeline, space-separated.
  std::string Days(const std::string& pipeline) const {
    auto result = OpenWorldWarehouse()->QueryAll(
        "SELECT day, status FROM _sw_partitions WHERE pipeline = '" + pipeline + "' ORDER BY day");
    std::string out;
    for (const Row& row : result->rows)
      out += (out.empty() ? "" : " ") + ValueToString(row[0]) + "=" + ValueToString(row[1]);
    return out;
  }

 private:
  TempDir dir_;
  std::unique_ptr<ShiftedClock> clock_;
  std::string extra_config_;
  std::unique_ptr<Simulator> simulator_;
  int runs_ = 0;
};

}  // namespace silverwork::testing
