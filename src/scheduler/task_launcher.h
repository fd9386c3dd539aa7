// TaskLauncher: how the scheduler runs a task's try and learns how it ended.
//
// The scheduler decides what runs; a launcher runs it. The real one
// (ProcessTaskLauncher, process_launcher.h) starts each try as a child
// process of the same binary, `silverwork task run --run R --task T --try N`,
// in its own process group with its output in the try's log; tests use an
// in-process fake that ends tries when told. The scheduler never blocks on a
// launcher: it starts tries, asks them to stop, and collects the ones that
// ended on each pass.
//
// Thread-safety: a launcher is driven from one thread (the scheduler's).
#pragma once

#include <chrono>
#include <compare>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "scheduler/task_result.h"

namespace silverwork::scheduler {

// One try of one task instance.
struct TryKey {
  std::string run_id;
  std::string task;
  int try_number = 0;
  // clang-tidy 14 reads the defaulted <=>'s comparison with 0 as a null pointer.
  auto operator<=>(const TryKey&) const = default;  // NOLINT(modernize-use-nullptr)
};

struct TaskLaunch {
  TryKey key;
  std::string pipeline;
  std::filesystem::path log_path;  // stdout and stderr of the try go here
  // The scheduler's clock at the launch: the child's clock starts here when
  // the scheduler runs on a shifted clock (SILVERWORK_NOW).
  std::chrono::system_clock::time_point now;
};

struct LaunchedTry {
  int64_t pid = 0;
  std::string process_start;  // see TryRecord::process_start
};

// How a try's process ended, as the operating system says.
struct TaskExit {
  TryKey key;
  bool signaled = false;  // killed by `signal`; else exited with `exit_code`
  int exit_code = 0;
  int signal = 0;
  // The child's own account (task_result.h), when it wrote one.
  std::optional<TaskResult> result;
};

class TaskLauncher {
 public:
  virtual ~TaskLauncher() = default;

  // Starts the try. An error means nothing runs (the scheduler records the
  // try as failed with it).
  virtual Result<LaunchedTry> Launch(const TaskLaunch& launch) = 0;
  // The tries that ended since the last call; never blocks.
  virtual std::vector<TaskExit> CollectExits() = 0;
  // Asks a running try to stop: SIGTERM to its process group now, SIGKILL
  // once the launcher's grace period has passed (on a later CollectExits).
  // It still ends through CollectExits. No-op for an unknown key.
  virtual void Terminate(const TryKey& key) = 0;
  // Tries started and not yet collected.
  virtual size_t Running() const = 0;
  // When the launcher next needs a CollectExits() call even if no child
  // ends (a SIGKILL due); nullopt when nothing is pending.
  virtual std::optional<std::chrono::steady_clock::time_point> NextDeadline() const = 0;

  // Tries an earlier scheduler process started (found "running" in the
  // store after a restart). Whether that process still lives...
  virtual bool StillRunning(int64_t pid, const std::string& process_start) = 0;
  // ...and stopping its whole process group, waiting for it (bounded).
  virtual Status StopOrphan(int64_t pid, const std::string& process_start) = 0;
};

}  // namespace silverwork::scheduler
