#include "scheduler/process_info.h"

#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace silverwork::scheduler {
namespace {

std::string BootId() {
  std::ifstream in("/proc/sys/kernel/random/boot_id");
  std::string id;
  std::getline(in, id);
  return id;
}

// The fields of /proc/<pid>/stat after the command name, which is in
// parentheses and may itself hold spaces and parentheses.
std::optional<std::string> StatFieldsAfterName(pid_t pid) {
  std::ifstream in(fmt::format("/proc/{}/stat", pid));
  if (!in) return std::nullopt;
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string stat = buffer.str();
  const size_t name_end = stat.rfind(')');
  if (name_end == std::string::npos || name_end + 2 > stat.size()) return std::nullopt;
  return stat.substr(name_end + 2);
}

// Waits until the process behind `pidfd` ends or `timeout` passes.
bool WaitForExit(int pidfd, std::chrono::milliseconds timeout) {
  pollfd entry{.fd = pidfd, .events = POLLIN, .revents = 0};
  int ready = 0;
  do {
    ready = poll(&entry, 1, static_cast<int>(timeout.count()));
  } while (ready < 0 && errno == EINTR);
  return ready > 0;
}

}  // namespace

int OpenPidfd(pid_t pid) { return static_cast<int>(syscall(SYS_pidfd_open, pid, 0)); }

std::string ThisHostName() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "localhost";
  return name;
}

std::optional<std::string> ProcessStartOf(pid_t pid) {
  if (pid <= 0) return std::nullopt;
  std::optional<std::string> fields = StatFieldsAfterName(pid);
  if (!fields) return std::nullopt;
  // Field 3 (state) is the first after the name; field 22 (starttime) the 20th.
  std::istringstream in(*fields);
  std::string state, value;
  in >> state;
  if (state.empty() || state == "Z" || state == "X") return std::nullopt;
  for (int field = 4; field <= 22 && in >> value; ++field) {
  }
  if (!in || value.empty()) return std::nullopt;
  return BootId() + "/" + value;
}

bool SameProcessAlive(pid_t pid, const std::string& process_start) {
  std::optional<std::string> start = ProcessStartOf(pid);
  return start && (process_start.empty() || *start == process_start);
}

Status SignalProcessGroup(pid_t leader, int signal) {
  if (leader <= 1)
    return Status(ErrorCode::kInternal, fmt::format("refusing to signal process group {}", leader),
                  "a task's process group is led by the task's own pid");
  if (kill(-leader, signal) == 0 || errno == ESRCH) return Status::Ok();
  return Status(ErrorCode::kIO,
                fmt::format("cannot signal process group {}: {}", leader, std::strerror(errno)),
                "the task's processes may belong to another user; stop them by hand");
}

Status StopForeignProcessGroup(pid_t leader, const std::string& process_start,
                               std::chrono::milliseconds grace) {
  // Open the pidfd first, then check the start: the pidfd pins the process
  // we checked, so a pid reused in between cannot be signalled by mistake.
  const int pidfd = OpenPidfd(leader);
  if (pidfd < 0) return Status::Ok();  // gone already
  Status status;
  if (SameProcessAlive(leader, process_start)) {
    status = SignalProcessGroup(leader, SIGTERM);
    if (status.ok() && !WaitForExit(pidfd, grace)) {
      status = SignalProcessGroup(leader, SIGKILL);
      if (status.ok()) WaitForExit(pidfd, grace);
    }
    // Whatever else of the group outlived its leader goes too.
    if (status.ok()) status = SignalProcessGroup(leader, SIGKILL);
  }
  close(pidfd);
  return status;
}

}  // namespace silverwork::scheduler
