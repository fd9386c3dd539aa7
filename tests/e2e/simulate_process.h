// `silverwork simulate` running in its own process, for the end-to-end tests
// of the simulate command. Its standard output is a FIFO this object reads,
// so the URL is known as soon as the simulator prints it, without polling;
// the constructor returns once the simulator has printed its banner (or
// ended). Not thread-safe: one test drives one simulator.
#pragma once

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "process.h"
#include "scoped_temp_dir.h"

namespace silverwork::testing {

class SimulateProcess {
 public:
  // Runs `silverwork simulate --port 0 ARGS...` with an empty service key
  // (the simulator accepts its public demo key).
  explicit SimulateProcess(const std::vector<std::string>& args) {
    std::string fifo = dir_.File("stdout");
    if (::mkfifo(fifo.c_str(), 0600) != 0) throw std::runtime_error("mkfifo failed");
    // Opened for reading first (without waiting for a writer), so that the
    // child's open for writing, inside posix_spawn, does not wait for us.
    stdout_fd_ = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (stdout_fd_ < 0) throw std::runtime_error("cannot open the FIFO");
    std::vector<std::string> argv{SILVERWORK_BINARY, "simulate", "--port", "0"};
    argv.insert(argv.end(), args.begin(), args.end());
    process_ = std::make_unique<ChildProcess>(
        argv, std::map<std::string, std::string>{{"DATA_GO_KR_SERVICE_KEY", ""}}, fifo,
        StderrPath());
    ::fcntl(stdout_fd_, F_SETFL, ::fcntl(stdout_fd_, F_GETFL) & ~O_NONBLOCK);
    std::string line;
    while (ReadLine(line)) {
      printed_ += line + "\n";
      if (line.starts_with("simulator listening on ")) url_ = line.substr(23);
      if (line.starts_with("  service key:")) break;
    }
  }
  ~SimulateProcess() {
    if (process_) process_->Kill(SIGKILL);
    process_.reset();
    ::close(stdout_fd_);
  }
  SimulateProcess(const SimulateProcess&) = delete;
  SimulateProcess& operator=(const SimulateProcess&) = delete;

  // The base URL it listens on; empty when it ended before printing it.
  const std::string& url() const { return url_; }
  // What it printed up to its service key line.
  const std::string& printed() const { return printed_; }
  std::string StderrPath() const { return dir_.File("stderr"); }
  std::string Stderr() const { return ReadFile(StderrPath()); }
  // SIGTERM, then the exit code.
  int Stop() {
    process_->Kill(SIGTERM);
    return WaitForExit();
  }
  int WaitForExit() {
    int code = process_->Wait();
    process_.reset();
    return code;
  }

 private:
  // The next line the process printed; false at the end of its output.
  bool ReadLine(std::string& line) {
    while (true) {
      if (size_t end = unread_.find('\n'); end != std::string::npos) {
        line = unread_.substr(0, end);
        unread_.erase(0, end + 1);
        return true;
      }
      char chunk[512];
      ssize_t got = ::read(stdout_fd_, chunk, sizeof chunk);
      if (got <= 0) return false;
      unread_.append(chunk, static_cast<size_t>(got));
    }
  }

  ScopedTempDir dir_;
  int stdout_fd_ = -1;
  std::unique_ptr<ChildProcess> process_;
  std::string unread_, url_, printed_;
};

}  // namespace silverwork::testing
