// ProcessTaskLauncher with small shell scripts standing in for `silverwork
// task run`: what a child is started with (arguments, log, environment),
// how its end and result file come back, Terminate escalating to SIGKILL for
// the whole process group, PR_SET_PDEATHSIG, and orphans of an earlier
// scheduler. Every wait blocks on the children's pidfds; kill escalation
// runs on a FakeClock.
#include "scheduler/process_launcher.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <fstream>
#include <sstream>
#include <thread>

#include "scheduler/process_info.h"
#include "scheduler/scheduler_store.h"
#include "scoped_temp_dir.h"

namespace silverwork::scheduler {
namespace {

using std::chrono::milliseconds;

std::string ReadText(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// Blocks until `pid` (not a child of ours) has ended.
void WaitForEnd(pid_t pid) {
  const int pidfd = OpenPidfd(pid);
  if (pidfd < 0) return;
  pollfd entry{pidfd, POLLIN, 0};
  poll(&entry, 1, -1);
  close(pidfd);
}

class ProcessLauncherTest : public ::testing::Test {
 protected:
  // A script standing in for the silverwork binary.
  std::filesystem::path Script(const std::string& body) {
    std::filesystem::path path = dir_.path() / "task.sh";
    std::ofstream(path) << "#!/bin/sh\n" << body;
    std::filesystem::permissions(path, std::filesystem::perms::owner_all);
    return path;
  }
  TaskLaunch Launch(int try_number = 1) {
    return {.key = {"run-1", "collect", try_number},
            .pipeline = "postings_daily",
            .log_path = dir_.path() / "logs" / "collect" / (std::to_string(try_number) + ".log"),
            .now = clock_.Now()};
  }
  // Blocks until a child has ended, then collects it.
  std::vector<TaskExit> WaitForExits(ProcessTaskLauncher& launcher) {
    for (;;) {
      std::vector<TaskExit> exits = launcher.CollectExits();
      if (!exits.empty() || launcher.Running() == 0) return exits;
      std::vector<pollfd> fds;
      for (int fd : launcher.ExitFds()) fds.push_back({fd, POLLIN, 0});
      poll(fds.data(), fds.size(), -1);
    }
  }

  ScopedTempDir dir_;
  FakeClock clock_{std::chrono::system_clock::time_point(std::chrono::seconds(1'750'000'000))};
};

TEST_F(ProcessLauncherTest, AChildGetsItsTryTheClockAndALogAndItsEndComesBack) {
  ProcessTaskLauncher launcher(
      clock_, {.binary = Script("echo \"args: $*\"\necho \"now: $SILVERWORK_NOW\"\n"
                                "echo oops >&2\n"
                                "log=$(readlink /proc/$$/fd/1)\n"
                                "echo '{\"exit_code\": 3, \"status\": \"stopped\", \"error\": "
                                "{\"code\": \"quota exhausted\", \"message\": \"code 22\", "
                                "\"hint\": \"tomorrow\"}}' > \"${log%.log}.result.json\"\n"
                                "exit 3\n"),
               .config_path = "/etc/silverwork.toml",
               .pass_clock = true});
  auto launched = launcher.Launch(Launch());
  ASSERT_TRUE(launched.ok()) << launched.status().ToString();
  EXPECT_GT(launched->pid, 1);
  EXPECT_FALSE(launched->process_start.empty());
  std::vector<TaskExit> exits = WaitForExits(launcher);
  ASSERT_EQ(exits.size(), 1u);
  EXPECT_EQ(exits[0].key, Launch().key);
  EXPECT_FALSE(exits[0].signaled);
  EXPECT_EQ(exits[0].exit_code, 3);
  ASSERT_TRUE(exits[0].result);
  EXPECT_EQ(exits[0].result->error.code(), ErrorCode::kQuotaExhausted);
  EXPECT_EQ(exits[0].result->error.hint(), "tomorrow");
  const std::string log = ReadText(Launch().log_path);
  EXPECT_NE(log.find("args: --config /etc/silverwork.toml task run --run run-1 --task collect "
                     "--try 1\n"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("now: " + FormatStoreTime(clock_.Now()) + "\n"), std::string::npos) << log;
  EXPECT_NE(log.find("oops\n"), std::string::npos) << "stderr goes to the log too";
  EXPECT_EQ(launcher.Running(), 0u);
}

TEST_F(ProcessLauncherTest, WithoutAShiftedClockChildrenGetNoSilverworkNow) {
  setenv(kNowVariable, "2020-01-01T00:00:00Z", 1);
  ProcessTaskLauncher launcher(clock_, {.binary = Script("echo \"now: [$SILVERWORK_NOW]\"\n")});
  ASSERT_TRUE(launcher.Launch(Launch()).ok());
  WaitForExits(launcher);
  unsetenv(kNowVariable);
  EXPECT_NE(ReadText(Launch().log_path).find("now: []"), std::string::npos);
}

TEST_F(ProcessLauncherTest, TerminateStopsTheWholeGroupWithSigkillAfterTheGrace) {
  // The script tells the test its own child's pid through a FIFO: reading it
  // blocks until the script has started that child.
  const std::filesystem::path fifo = dir_.path() / "grandchild.fifo";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  ProcessTaskLauncher launcher(clock_, {.binary = Script("trap '' TERM\nsleep 1000 &\necho $! > " +
                                                         fifo.string() + "\nwait\n"),
                                        .kill_grace = milliseconds(500)});
  ASSERT_TRUE(launcher.Launch(Launch()).ok());
  const auto sleeper = static_cast<pid_t>(std::stoi(ReadText(fifo)));
  ASSERT_TRUE(SameProcessAlive(sleeper, ""));
  launcher.Terminate(Launch().key);  // ignored by the script
  EXPECT_TRUE(launcher.CollectExits().empty());
  ASSERT_TRUE(launcher.NextDeadline());
  clock_.Advance(milliseconds(500));  // the grace is over: SIGKILL on the next collection
  std::vector<TaskExit> exits = WaitForExits(launcher);
  ASSERT_EQ(exits.size(), 1u);
  EXPECT_TRUE(exits[0].signaled);
  EXPECT_EQ(exits[0].signal, SIGKILL);
  WaitForEnd(sleeper);  // the task's own child went with its group (else this blocks)
  EXPECT_FALSE(SameProcessAlive(sleeper, ""));
}

TEST_F(ProcessLauncherTest, AChildDiesWithTheThreadThatStartedIt) {
  ProcessTaskLauncher launcher(clock_, {.binary = Script("exec sleep 1000\n")});
  std::thread starter([&] { ASSERT_TRUE(launcher.Launch(Launch()).ok()); });
  starter.join();  // PR_SET_PDEATHSIG fires when the forking thread ends
  std::vector<TaskExit> exits = WaitForExits(launcher);
  ASSERT_EQ(exits.size(), 1u);
  EXPECT_TRUE(exits[0].signaled);
  EXPECT_EQ(exits[0].signal, SIGKILL);
}

TEST_F(ProcessLauncherTest, AMissingBinaryIsAClearError) {
  ProcessTaskLauncher launcher(clock_, {.binary = dir_.path() / "no-such-binary"});
  auto launched = launcher.Launch(Launch());
  ASSERT_FALSE(launched.ok());
  EXPECT_NE(launched.status().message().find("no-such-binary: No such file or directory"),
            std::string::npos)
      << launched.status().message();
  EXPECT_EQ(launcher.Running(), 0u);
}

TEST_F(ProcessLauncherTest, AnOrphanIsRecognizedByItsStartAndStoppedWithItsGroup) {
  // A process in a group of its own that this launcher did not start.
  pid_t pid = 0;
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attributes, 0);
  char* argv[] = {const_cast<char*>("/bin/sleep"), const_cast<char*>("1000"), nullptr};
  ASSERT_EQ(posix_spawn(&pid, "/bin/sleep", nullptr, &attributes, argv, environ), 0);
  posix_spawnattr_destroy(&attributes);
  const std::string start = ProcessStartOf(pid).value_or("");
  ASSERT_FALSE(start.empty());

  ProcessTaskLauncher launcher(clock_, {.kill_grace = milliseconds(2000)});
  EXPECT_TRUE(launcher.StillRunning(pid, start));
  EXPECT_TRUE(launcher.StillRunning(pid, ""));
  EXPECT_FALSE(launcher.StillRunning(pid, "another-boot/12345")) << "a reused pid is not it";
  ASSERT_TRUE(launcher.StopOrphan(pid, "another-boot/12345").ok());
  EXPECT_TRUE(launcher.StillRunning(pid, start)) << "not touched: not the recorded process";
  ASSERT_TRUE(launcher.StopOrphan(pid, start).ok());
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFSIGNALED(status));
  EXPECT_EQ(WTERMSIG(status), SIGTERM);
  EXPECT_FALSE(launcher.StillRunning(pid, start));
}

}  // namespace
}  // namespace silverwork::scheduler
