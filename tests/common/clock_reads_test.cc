// "Time comes from the injected Clock" (docs/architecture.md), checked over
// the sources themselves: nothing in src/ reads the system clock or sleeps on
// it but the Clock's implementation and the exceptions listed below, each
// with its reason; and no test sleeps or reads the system clock but where
// listed. An exception that no longer occurs fails too, so the list stays
// the list of what is there.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

namespace silverwork {
namespace {

namespace fs = std::filesystem;

// What reads the real time or waits for it to pass.
const std::regex& ClockRead() {
  static const std::regex pattern(
      R"(::now\s*\(|\bDefaultClock\s*\(\s*\)|\bclock_gettime\b|\bgettimeofday\b|)"
      R"(\b(std::|::)?time\s*\(\s*(nullptr|NULL|0|&)|\bsleep_(for|until)\b|\busleep\b|)"
      R"(\bnanosleep\b|(^|[^\w.>])sleep\s*\()");
  return pattern;
}

struct Exception {
  std::string file;   // relative to the repository
  std::string match;  // the text ClockRead() finds there; empty: any
  std::string why;
};

const std::vector<Exception>& SourceExceptions() {
  static const std::vector<Exception> list = {
      {"src/common/clock.cc", "", "the Clock's implementation: the system clock itself"},
      {"src/common/clock.h", "DefaultClock()", "declares the system clock"},
      {"src/common/log.cc", "DefaultClock()",
       "progress lines on a terminal show the elapsed time; nothing is decided by it"},
      {"src/http/httplib_http_client.cc", "::now(",
       "a network call's deadline: sockets time out in real time, whatever the run's clock"},
      {"src/serve/server.cc", "DefaultClock()",
       "the default when ServeOptions::clock is null; the CLI always passes its clock"},
      {"src/serve/server.cc", "sleep_for",
       "Start waits for cpp-httplib's listener to run, which it signals no other way"},
      {"src/simulator/simulator.cc", "DefaultClock()",
       "the default when SimulatorOptions::clock is null; the CLI and tests pass theirs"},
      {"src/transform/transform_project.cc", "DefaultClock()",
       "the default when the run options carry no clock; pipeline and CLI pass theirs"},
      {"src/transform/compile/dbt_context.cc", "DefaultClock()",
       "modules.datetime's default when DbtContextValues::clock is null; invocations pass theirs"},
      {"src/cli/command.h", "DefaultClock()",
       "the CLI builds the process's clock (SILVERWORK_NOW or the system clock) and passes it"},
  };
  return list;
}

const std::vector<Exception>& TestExceptions() {
  static const std::vector<Exception> list = {
      {"tests/e2e/process.h", "usleep",
       "WaitWhileRunning looks every millisecond at what a child process writes, with no "
       "deadline: the wait ends on the event, not on time"},
      {"tests/serve/connections_test.cc", "::now(",
       "lower bounds only: a server timeout must not fire before its time"},
      {"tests/e2e/simulate_command_test.cc", "::now(",
       "a lower bound only: the simulator's latency flag delays at least that long"},
      {"tests/serve/serve_fixture_main.cc", "::now(",
       "the fixture tool prints how long the build took; not a test"},
      {"tests/serve/snapshot_test.cc", "DefaultClock()",
       "the snapshot's load time is stamped and never compared"},
      {"tests/ingest/ingest_harness.h", "DefaultClock()",
       "a ShiftedClock from a fixed noon moving with real time, for the collectors' network "
       "timeouts, which are real time"},
      {"tests/e2e/scheduler_harness.h", "DefaultClock()",
       "a ShiftedClock from the test's instant moving with real time: the child processes' "
       "clock (SILVERWORK_NOW), which runs on by itself"},
  };
  return list;
}

// A cheap look first: std::regex is slow, and most lines hold none of these.
bool MayReadTheClock(std::string_view code) {
  for (std::string_view word : {"now", "Clock", "clock_", "timeofday", "time", "sleep"}) {
    if (code.find(word) != std::string_view::npos) return true;
  }
  return false;
}

constexpr std::string_view kThisFile = "tests/common/clock_reads_test.cc";

// Drops a line's `//` comment (and whatever a string holds after "//").
std::string CodeOf(const std::string& line) {
  const size_t comment = line.find("//");
  return comment == std::string::npos ? line : line.substr(0, comment);
}

// Every clock read under `folder` not covered by `exceptions`, as
// "file:line: text"; marks the exceptions seen in `used`.
std::vector<std::string> UncoveredReads(const fs::path& root, const std::string& folder,
                                        const std::vector<Exception>& exceptions,
                                        std::vector<bool>& used) {
  std::vector<std::string> found;
  for (const auto& entry : fs::recursive_directory_iterator(root / folder)) {
    const std::string extension = entry.path().extension().string();
    if (!entry.is_regular_file() || (extension != ".cc" && extension != ".h")) continue;
    const std::string file = fs::relative(entry.path(), root).generic_string();
    if (file == kThisFile) continue;  // its examples of reads are no reads
    std::ifstream input(entry.path());
    std::string line;
    for (int number = 1; std::getline(input, line); ++number) {
      const std::string code = CodeOf(line);
      if (!MayReadTheClock(code)) continue;
      for (auto read = std::sregex_iterator(code.begin(), code.end(), ClockRead());
           read != std::sregex_iterator(); ++read) {
        bool covered = false;
        for (size_t index = 0; index < exceptions.size(); ++index) {
          if (exceptions[index].file == file &&
              read->str().find(exceptions[index].match) != std::string::npos) {
            covered = true;
            used[index] = true;
          }
        }
        if (!covered) found.push_back(fmt::format("{}:{}: {}", file, number, line));
      }
    }
  }
  return found;
}

void ExpectOnlyTheExceptions(const std::string& folder, const std::vector<Exception>& exceptions) {
  const fs::path root = SILVERWORK_SOURCE_DIR;
  ASSERT_TRUE(fs::is_directory(root / folder)) << root / folder;
  std::vector<bool> used(exceptions.size(), false);
  for (const std::string& read : UncoveredReads(root, folder, exceptions, used)) {
    ADD_FAILURE() << "reads or waits on the real time; take the injected Clock (FakeClock in "
                     "tests), or add an exception with its reason in "
                  << kThisFile << ":\n  " << read;
  }
  for (size_t index = 0; index < exceptions.size(); ++index) {
    EXPECT_TRUE(used[index]) << "the exception for " << exceptions[index].match << " in "
                             << exceptions[index].file
                             << " no longer occurs: remove it from the list";
  }
}

TEST(SourceRules, OnlyTheClockReadsTheSystemClock) { ExpectOnlyTheExceptions("src", SourceExceptions()); }

TEST(SourceRules, TestsNeitherSleepNorReadTheSystemClock) {
  ExpectOnlyTheExceptions("tests", TestExceptions());
}

TEST(SourceRules, ThePatternFindsEveryKindOfRead) {
  const std::vector<std::string> reads = {
      "auto t = std::chrono::system_clock::now();", "SteadyClock::now()",
      "Clock& c = DefaultClock();",                 "clock_gettime(CLOCK_MONOTONIC, &ts);",
      "gettimeofday(&tv, nullptr);",                "std::time(nullptr)",
      "::time(&now)",                               "time(0)",
      "std::this_thread::sleep_for(1ms);",          "sleep_until(deadline)",
      "usleep(1000);",                              "nanosleep(&ts, nullptr);",
      "sleep(1);"};
  for (const std::string& read : reads) {
    EXPECT_TRUE(std::regex_search(read, ClockRead())) << read;
  }
  const std::vector<std::string> not_reads = {
      "clock_.Now()", "std::chrono::hh_mm_ss time(millis - day);", "Clock& clock",
      "system_clock::time_point started;", "options.sleep(delay)", "clock.Sleep(delay)"};
  for (const std::string& code : not_reads) {
    EXPECT_FALSE(std::regex_search(code, ClockRead())) << code;
  }
}

}  // namespace
}  // namespace silverwork
