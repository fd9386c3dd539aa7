#include "scheduler/process_launcher.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <csignal>
#include <cstring>

#include "common/clock.h"
#include "scheduler/process_info.h"
#include "scheduler/scheduler_store.h"

namespace silverwork::scheduler {
namespace {

std::filesystem::path OwnExecutable() {
  std::error_code error;
  std::filesystem::path path = std::filesystem::read_symlink("/proc/self/exe", error);
  return error ? std::filesystem::path() : path;
}

// What the child does between fork and exec: only async-signal-safe calls.
[[noreturn]] void BecomeTask(pid_t parent, int log_fd, int null_fd, int report_fd,
                             const int go[2], const char* path, char* const* argv,
                             char* const* envp) {
  close(go[1]);  // the parent's end: its close is the signal to go on
  setpgid(0, 0);
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent) _exit(127);  // the scheduler died before prctl
  dup2(null_fd, STDIN_FILENO);
  dup2(log_fd, STDOUT_FILENO);
  dup2(log_fd, STDERR_FILENO);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  struct sigaction defaults {};
  defaults.sa_handler = SIG_DFL;
  for (int signal_number : {SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGCHLD})
    sigaction(signal_number, &defaults, nullptr);
  // No descriptor of the scheduler's (its database, its sockets) reaches the
  // task; the report pipe closes on exec as well.
  close_range(3, UINT_MAX, CLOSE_RANGE_CLOEXEC);
  // Wait until the parent has read this process's start (it closes its end
  // of the go pipe then): a task that ended first would leave a zombie whose
  // start can no longer be read.
  char go_on = 0;
  while (read(go[0], &go_on, 1) < 0 && errno == EINTR) {
  }
  execve(path, argv, envp);
  const int error = errno;
  ssize_t ignored = write(report_fd, &error, sizeof error);
  (void)ignored;
  _exit(127);
}

int OpenLog(const std::filesystem::path& log_path, Status& status) {
  std::error_code error;
  std::filesystem::create_directories(log_path.parent_path(), error);
  if (error) {
    status = Status(ErrorCode::kIO,
                    fmt::format("cannot create the log folder {}: {}",
                                log_path.parent_path().string(), error.message()),
                    "check that [scheduler] logs_dir is writable by the scheduler's user");
    return -1;
  }
  const int fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0)
    status = Status(
        ErrorCode::kIO,
        fmt::format("cannot open the try's log {}: {}", log_path.string(), std::strerror(errno)),
        "check that [scheduler] logs_dir is writable by the scheduler's user");
  return fd;
}

std::vector<char*> PointersTo(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  pointers.reserve(strings.size() + 1);
  for (std::string& text : strings) pointers.push_back(text.data());
  pointers.push_back(nullptr);
  return pointers;
}

// Forks and execs; the child's pid and start, or an error saying why it did
// not start.
Result<LaunchedTry> Spawn(const std::string& binary, std::vector<std::string> arguments,
                          std::vector<std::string> environment, int log_fd) {
  std::vector<char*> argv = PointersTo(arguments);
  std::vector<char*> envp = PointersTo(environment);
  const int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  int report[2] = {-1, -1};
  int go[2] = {-1, -1};
  if (null_fd < 0 || pipe2(report, O_CLOEXEC) != 0 || pipe2(go, O_CLOEXEC) != 0) {
    for (int fd : {null_fd, report[0], report[1]})
      if (fd >= 0) close(fd);
    return Status(ErrorCode::kIO,
                  fmt::format("cannot prepare a task process: {}", std::strerror(errno)),
                  "the scheduler may be out of file descriptors; raise its limit (ulimit -n)");
  }
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid == 0)
    BecomeTask(parent, log_fd, null_fd, report[1], go, binary.c_str(), argv.data(), envp.data());
  const int fork_error = errno;
  close(null_fd);
  close(report[1]);
  close(go[0]);
  if (pid < 0) {
    close(report[0]);
    close(go[1]);
    return Status(ErrorCode::kIO,
                  fmt::format("cannot fork a task process: {}", std::strerror(fork_error)),
                  "the machine is out of processes or memory; the try is retried");
  }
  // Read while the child waits on the go pipe before exec: a short task
  // could otherwise end before its start is read. Exec does not change it.
  const std::string start = ProcessStartOf(pid).value_or("");
  close(go[1]);
  // EOF: exec succeeded (the pipe closed on exec). An int: exec's errno.
  int exec_error = 0;
  ssize_t got = 0;
  do {
    got = read(report[0], &exec_error, sizeof exec_error);
  } while (got < 0 && errno == EINTR);
  close(report[0]);
  if (got == sizeof exec_error) {
    waitpid(pid, nullptr, 0);
    return Status(ErrorCode::kIO,
                  fmt::format("cannot run {}: {}", binary, std::strerror(exec_error)),
                  "the scheduler runs its tasks with its own binary; reinstall it or restart "
                  "the scheduler from the installed path");
  }
  return LaunchedTry{.pid = pid, .process_start = start};
}

}  // namespace

ProcessTaskLauncher::ProcessTaskLauncher(Clock& clock, ProcessLauncherOptions options)
    : clock_(clock), options_(std::move(options)) {
  if (options_.binary.empty()) options_.binary = OwnExecutable();
}

ProcessTaskLauncher::~ProcessTaskLauncher() {
  for (auto& [key, child] : children_) {
    (void)SignalProcessGroup(child.pid, SIGKILL);
    waitpid(child.pid, nullptr, 0);
    close(child.pidfd);
  }
}

std::vector<std::string> ProcessTaskLauncher::ArgumentsFor(const TaskLaunch& launch) const {
  std::vector<std::string> arguments{options_.binary.string()};
  if (!options_.config_path.empty()) {
    arguments.emplace_back("--config");
    arguments.push_back(options_.config_path);
  }
  for (const std::string& part : {std::string("task"), std::string("run"), std::string("--run"),
                                  launch.key.run_id, std::string("--task"), launch.key.task,
                                  std::string("--try"), std::to_string(launch.key.try_number)})
    arguments.push_back(part);
  return arguments;
}

std::vector<std::string> ProcessTaskLauncher::EnvironmentFor(const TaskLaunch& launch) const {
  const std::string prefix = std::string(kNowVariable) + "=";
  std::vector<std::string> environment;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry)
    if (!std::string_view(*entry).starts_with(prefix)) environment.emplace_back(*entry);
  if (options_.pass_clock) environment.push_back(prefix + FormatStoreTime(launch.now));
  return environment;
}

Result<LaunchedTry> ProcessTaskLauncher::Launch(const TaskLaunch& launch) {
  if (children_.contains(launch.key))
    return Status(ErrorCode::kInternal,
                  fmt::format("try {} of task '{}' in run {} is already running",
                              launch.key.try_number, launch.key.task, launch.key.run_id),
                  "start each try once");
  Status status;
  const int log_fd = OpenLog(launch.log_path, status);
  if (log_fd < 0) return status;
  auto spawned =
      Spawn(options_.binary.string(), ArgumentsFor(launch), EnvironmentFor(launch), log_fd);
  close(log_fd);
  if (!spawned.ok()) return spawned.status();
  const auto pid = static_cast<pid_t>(spawned->pid);
  Child child{.key = launch.key, .pid = pid, .pidfd = OpenPidfd(pid), .log_path = launch.log_path};
  if (child.pidfd < 0) {
    // Without a pidfd the end would go unnoticed: do not run it at all.
    (void)SignalProcessGroup(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    return Status(ErrorCode::kIO,
                  fmt::format("cannot watch the task process: {}", std::strerror(errno)),
                  "the scheduler needs Linux 5.3 or later (pidfd) and free file descriptors");
  }
  children_.emplace(launch.key, std::move(child));
  return std::move(spawned).value();
}

std::optional<TaskExit> ProcessTaskLauncher::Reap(Child& child) {
  siginfo_t info{};
  if (waitid(P_PID, static_cast<id_t>(child.pid), &info, WEXITED | WNOHANG | WNOWAIT) != 0 ||
      info.si_pid == 0)
    return std::nullopt;
  // The leader is a zombie: its group id is still reserved, so what is left
  // of the group can be killed safely before the leader is reaped.
  (void)SignalProcessGroup(child.pid, SIGKILL);
  int status = 0;
  waitpid(child.pid, &status, 0);
  TaskExit exit{.key = child.key};
  if (WIFSIGNALED(status)) {
    exit.signaled = true;
    exit.signal = WTERMSIG(status);
  } else {
    exit.exit_code = WEXITSTATUS(status);
  }
  auto result = ReadTaskResult(TaskResultPath(child.log_path));
  if (result.ok()) exit.result = *result;
  return exit;
}

std::vector<TaskExit> ProcessTaskLauncher::CollectExits() {
  std::vector<TaskExit> exits;
  const auto now = clock_.Monotonic();
  for (auto entry = children_.begin(); entry != children_.end();) {
    Child& child = entry->second;
    if (std::optional<TaskExit> exit = Reap(child)) {
      close(child.pidfd);
      exits.push_back(std::move(*exit));
      entry = children_.erase(entry);
      continue;
    }
    if (child.kill_at && *child.kill_at <= now) {
      (void)SignalProcessGroup(child.pid, SIGKILL);
      child.kill_at.reset();
    }
    ++entry;
  }
  return exits;
}

void ProcessTaskLauncher::Terminate(const TryKey& key) {
  auto found = children_.find(key);
  if (found == children_.end() || found->second.kill_at) return;
  (void)SignalProcessGroup(found->second.pid, SIGTERM);
  found->second.kill_at = clock_.Monotonic() + options_.kill_grace;
}

std::optional<std::chrono::steady_clock::time_point> ProcessTaskLauncher::NextDeadline() const {
  std::optional<std::chrono::steady_clock::time_point> next;
  for (const auto& [key, child] : children_)
    if (child.kill_at && (!next || *child.kill_at < *next)) next = child.kill_at;
  return next;
}

bool ProcessTaskLauncher::StillRunning(int64_t pid, const std::string& process_start) {
  return SameProcessAlive(static_cast<pid_t>(pid), process_start);
}

Status ProcessTaskLauncher::StopOrphan(int64_t pid, const std::string& process_start) {
  return StopForeignProcessGroup(static_cast<pid_t>(pid), process_start, options_.kill_grace);
}

std::vector<int> ProcessTaskLauncher::ExitFds() const {
  std::vector<int> fds;
  for (const auto& [key, child] : children_) fds.push_back(child.pidfd);
  return fds;
}

}  // namespace silverwork::scheduler
