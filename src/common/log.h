// Logging and progress reporting.
//
// Logs are line-oriented on stderr through spdlog. Every line passes through a
// redactor: any string registered with RegisterSecret() is replaced by "***"
// before it is written, as a second line of defence behind code that never
// formats secrets in the first place. The logger is process-wide (that is what
// a logger is); everything here is thread-safe.
#pragma once

#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

namespace silverwork {

enum class LogLevel { kDebug, kInfo, kWarn, kError, kOff };

struct LogOptions {
  LogLevel level = LogLevel::kInfo;
  // Optional log file; lines are appended, redacted like stderr.
  std::string file;
};

// Installs the process logger. Safe to call more than once (tests do).
void InitLogging(const LogOptions& options);

// Registers a secret (e.g. the service key, in every form it may be written)
// so that it never reaches a log line. Empty strings are ignored.
void RegisterSecret(const std::string& secret);

// Replaces registered secrets in `text` with "***".
std::string RedactSecrets(std::string text);

// True when stderr is a terminal and CI is not set: progress bars are drawn
// only then.
bool StderrIsInteractive();

// Progress of a long-running step. On a terminal it redraws one bar line on
// stderr (at most 10 times a second); elsewhere it logs a plain line at most
// every `quiet_interval`, so CI logs stay short. Thread-safe.
class Progress {
 public:
  Progress(std::string label, int64_t total,
           std::chrono::seconds quiet_interval = std::chrono::seconds(30));
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void SetTotal(int64_t total);
  void Add(int64_t delta = 1);
  // Ends the bar line; called by the destructor too.
  void Finish();

 private:
  void MaybeDraw(bool force);

  std::mutex mutex_;
  std::string label_;
  int64_t total_;
  int64_t done_ = 0;
  bool interactive_;
  bool finished_ = false;
  std::chrono::seconds quiet_interval_;
  std::chrono::steady_clock::time_point started_;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace silverwork
