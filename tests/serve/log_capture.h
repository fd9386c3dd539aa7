// LogCapture: while alive, every line logged through spdlog's default logger
// (at info and above) is also kept here, and a test can wait for a line
// containing some text — the synchronisation for events only the log shows
// (a client that stopped reading). Waits have no time limit.
//
// Swaps the default logger: create it before the server whose lines it
// should see starts, destroy it after that server stops. Thread-safe.
#pragma once

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace silverwork::serve::testing {

class LogCapture {
 public:
  LogCapture() : previous_(spdlog::default_logger()), lines_(std::make_shared<Lines>()) {
    std::vector<spdlog::sink_ptr> sinks = previous_->sinks();
    sinks.push_back(std::make_shared<Sink>(lines_));
    auto logger = std::make_shared<spdlog::logger>("capture", sinks.begin(), sinks.end());
    logger->set_level(spdlog::level::info);
    for (auto& sink : previous_->sinks()) sink->set_level(previous_->level());
    spdlog::set_default_logger(std::move(logger));
  }
  ~LogCapture() {
    for (auto& sink : previous_->sinks()) sink->set_level(spdlog::level::trace);
    spdlog::set_default_logger(previous_);
  }
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;

  // Blocks until a line containing `text` has been logged; returns it.
  std::string WaitFor(std::string_view text) {
    std::unique_lock lock(lines_->mutex);
    std::string found;
    lines_->logged.wait(lock, [&] { return FindLocked(text, found); });
    return found;
  }

  // How many lines logged so far contain `text`.
  int Count(std::string_view text) {
    std::lock_guard lock(lines_->mutex);
    int count = 0;
    for (const std::string& line : lines_->lines) count += line.find(text) != std::string::npos;
    return count;
  }

  // The first line logged so far containing `text`, or "".
  std::string Find(std::string_view text) {
    std::lock_guard lock(lines_->mutex);
    std::string found;
    FindLocked(text, found);
    return found;
  }

 private:
  struct Lines {
    std::mutex mutex;
    std::condition_variable logged;
    std::vector<std::string> lines;
  };

  class Sink final : public spdlog::sinks::base_sink<spdlog::details::null_mutex> {
   public:
    explicit Sink(std::shared_ptr<Lines> lines) : lines_(std::move(lines)) {}

   protected:
    void sink_it_(const spdlog::details::log_msg& message) override {
      {
        std::lock_guard lock(lines_->mutex);
        lines_->lines.emplace_back(message.payload.data(), message.payload.size());
      }
      lines_->logged.notify_all();
    }
    void flush_() override {}

   private:
    std::shared_ptr<Lines> lines_;
  };

  bool FindLocked(std::string_view text, std::string& found) const {
    for (const std::string& line : lines_->lines) {
      if (line.find(text) != std::string::npos) {
        found = line;
        return true;
      }
    }
    return false;
  }

  std::shared_ptr<spdlog::logger> previous_;
  std::shared_ptr<Lines> lines_;
};

}  // namespace silverwork::serve::testing
