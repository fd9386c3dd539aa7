// ProcessTaskLauncher: runs each try as a child process of the same binary,
// `silverwork [--config FILE] task run --run R --task T --try N`.
//
// Each child:
//  - leads its own process group (setpgid), so a timeout or a shutdown stops
//    the task and everything it started, and a crash or hang in a task
//    cannot take the scheduler down;
//  - dies with the scheduler (PR_SET_PDEATHSIG = SIGKILL), so a scheduler
//    killed with -9 leaves no task running that a restarted scheduler would
//    not know about;
//  - writes stdout and stderr to the try's log, reads stdin from /dev/null,
//    starts with every signal unblocked and no descriptor of the scheduler's
//    but those;
//  - gets SILVERWORK_NOW = the scheduler's clock at the launch when the
//    scheduler runs on a shifted clock (else SILVERWORK_NOW is removed), so
//    its clock continues the scheduler's instead of starting over.
// The environment (service key, webhook URLs) is passed as is; secrets are
// never put on the command line.
//
// Ends are seen through a pidfd per child (ExitFds(), for the scheduler's
// poll), never by polling. Terminate() sends SIGTERM to the group and, once
// `kill_grace` has passed, SIGKILL. When a child ends, what is left of its
// group is killed before the child is reaped (the group id cannot be reused
// while its leader is a zombie).
//
// Thread-safety: drive it from ONE thread, the one that lives as long as the
// scheduler: PR_SET_PDEATHSIG fires when the thread that forked a child ends.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "scheduler/task_launcher.h"

namespace silverwork::scheduler {

struct ProcessLauncherOptions {
  std::filesystem::path binary;  // empty: this process's own executable
  std::string config_path;       // passed as --config when not empty
  // Give each child SILVERWORK_NOW = the launch's `now` (the scheduler's
  // clock is shifted); otherwise children read the system clock.
  bool pass_clock = false;
  std::chrono::milliseconds kill_grace{10'000};  // SIGTERM -> SIGKILL
};

class ProcessTaskLauncher final : public TaskLauncher {
 public:
  // REQUIRES: `clock` outlives the launcher (its Monotonic() times kills).
  ProcessTaskLauncher(Clock& clock, ProcessLauncherOptions options);
  // Kills every child still running (their tries are then found lost by
  // the next scheduler, like after a crash): call Terminate and collect
  // them first for an orderly end.
  ~ProcessTaskLauncher() override;
  ProcessTaskLauncher(const ProcessTaskLauncher&) = delete;
  ProcessTaskLauncher& operator=(const ProcessTaskLauncher&) = delete;

  Result<LaunchedTry> Launch(const TaskLaunch& launch) override;
  std::vector<TaskExit> CollectExits() override;
  void Terminate(const TryKey& key) override;
  size_t Running() const override { return children_.size(); }
  std::optional<std::chrono::steady_clock::time_point> NextDeadline() const override;
  bool StillRunning(int64_t pid, const std::string& process_start) override;
  Status StopOrphan(int64_t pid, const std::string& process_start) override;

  // One pidfd per running child; readable once it has ended.
  std::vector<int> ExitFds() const;

 private:
  struct Child {
    TryKey key;
    pid_t pid = -1;
    int pidfd = -1;
    std::filesystem::path log_path;
    std::optional<std::chrono::steady_clock::time_point> kill_at;  // SIGKILL due
  };

  std::vector<std::string> ArgumentsFor(const TaskLaunch& launch) const;
  std::vector<std::string> EnvironmentFor(const TaskLaunch& launch) const;
  // Reaps `child` if it has ended; the exit when it has.
  std::optional<TaskExit> Reap(Child& child);

  Clock& clock_;
  ProcessLauncherOptions options_;
  std::map<TryKey, Child> children_;
};

}  // namespace silverwork::scheduler
