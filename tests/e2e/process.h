// Runs the silverwork binary as a user would: its own process, environment
// and output files. Used by the end-to-end tests.
#pragma once

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace silverwork::testing {

class ChildProcess {
 public:
  // Starts `args` (args[0] is the program) with extra environment variables,
  // stdout and stderr to the given files, in `working_directory` (empty: this
  // process's).
  ChildProcess(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
               const std::string& stdout_path, const std::string& stderr_path,
               const std::string& working_directory = "") {
    std::vector<std::string> environment;
    for (char** entry = environ; *entry != nullptr; ++entry) {
      std::string text(*entry);
      std::string name = text.substr(0, text.find('='));
      if (!env.contains(name) && name != "CI") environment.push_back(text);
    }
    environment.emplace_back("CI=true");
    for (const auto& [name, value] : env) environment.emplace_back(name).append("=").append(value);
    std::vector<char*> argv, envp;
    for (const auto& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);
    for (const auto& entry : environment) envp.push_back(const_cast<char*>(entry.c_str()));
    envp.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, stdout_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_addopen(&actions, 2, stderr_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    if (!working_directory.empty())
      posix_spawn_file_actions_addchdir_np(&actions, working_directory.c_str());
    int error = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    if (error != 0) throw std::runtime_error("posix_spawn failed: " + std::to_string(error));
  }
  ~ChildProcess() {
    if (pid_ > 0 && !exit_code_) {
      kill(pid_, SIGKILL);
      Wait();
    }
  }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  void Kill(int signal_number = SIGKILL) const { kill(pid_, signal_number); }
  // Returns the exit code, or 128+signal when killed.
  int Wait() {
    if (!exit_code_) Reap(0);
    return *exit_code_;
  }
  // The exit code (as Wait()) if the process has ended, without waiting.
  std::optional<int> Exited() {
    if (!exit_code_) Reap(WNOHANG);
    return exit_code_;
  }
  // Waits until `ready()` holds, checking it every millisecond (a counter or
  // a file the process writes: no deadline, the wait ends on the event).
  // False when the process ends first.
  bool WaitWhileRunning(const std::function<bool()>& ready) {
    while (!ready()) {
      if (Exited()) return ready();
      usleep(1000);
    }
    return true;
  }

 private:
  void Reap(int options) {
    int status = 0;
    if (waitpid(pid_, &status, options) != pid_) return;
    if (WIFEXITED(status)) exit_code_ = WEXITSTATUS(status);
    else if (WIFSIGNALED(status)) exit_code_ = 128 + WTERMSIG(status);
    else exit_code_ = -1;
  }

  pid_t pid_ = -1;
  std::optional<int> exit_code_;
};

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

}  // namespace silverwork::testing
