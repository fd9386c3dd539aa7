// What the scheduler asks the operating system about processes: this host's
// name, whether a recorded task process still lives, and stopping a task's
// process group.
//
// A pid alone does not identify a process: the system reuses pids. A
// process's *start* — the boot it belongs to (/proc/sys/kernel/random/boot_id)
// and its start time in clock ticks since that boot (/proc/<pid>/stat, field
// 22) — does, so the scheduler records it with every try and, after a
// restart, touches a recorded process group only when the process at that
// pid has the same start. A zombie (exited, not yet reaped) counts as gone.
//
// Linux only (/proc, pidfd). Free functions without shared state;
// thread-safe.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>

#include "common/status.h"

namespace silverwork::scheduler {

// gethostname(), or "localhost" when it fails.
std::string ThisHostName();

// "<boot id>/<start ticks>" of the live process `pid`; nullopt when there is
// no such process, it is a zombie, or /proc cannot be read.
std::optional<std::string> ProcessStartOf(pid_t pid);

// True when `pid` is alive and (when `process_start` is not empty) is the
// same process that start describes.
bool SameProcessAlive(pid_t pid, const std::string& process_start);

// A pidfd for `pid` (close-on-exec), or -1 with errno set. glibc 2.36's
// <sys/pidfd.h> cannot be used from C++ (no extern "C"), hence the syscall.
int OpenPidfd(pid_t pid);

// Sends `signal` to the process group led by `leader`; ESRCH (no such group
// any more) is not an error.
Status SignalProcessGroup(pid_t leader, int signal);

// Stops the process group of a task an earlier scheduler started, which is
// not this process's child: SIGTERM to the group, a wait of up to `grace`
// for its leader to exit (a pidfd, no polling), then SIGKILL to the group.
// Does nothing when `leader` is not the process `process_start` describes.
// Blocks for at most `grace` plus a moment.
Status StopForeignProcessGroup(pid_t leader, const std::string& process_start,
                               std::chrono::milliseconds grace);

}  // namespace silverwork::scheduler
