#include "common/log.h"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <shared_mutex>
#include <vector>

#include "common/clock.h"

namespace silverwork {
namespace {

struct SecretRegistry {
  std::shared_mutex mutex;
  std::vector<std::string> secrets;
};

SecretRegistry& Secrets() {
  static SecretRegistry registry;
  return registry;
}

// Wraps another sink and redacts each formatted message before passing it on.
class RedactingSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit RedactingSink(std::shared_ptr<spdlog::sinks::sink> inner) : inner_(std::move(inner)) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    std::string text = RedactSecrets(std::string(msg.payload.data(), msg.payload.size()));
    spdlog::details::log_msg copy(msg.time, msg.source, msg.logger_name, msg.level, text);
    inner_->log(copy);
  }
  void flush_() override { inner_->flush(); }

 private:
  std::shared_ptr<spdlog::sinks::sink> inner_;
};

spdlog::level::level_enum ToSpdlog(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug: return spdlog::level::debug;
    case LogLevel::kInfo: return spdlog::level::info;
    case LogLevel::kWarn: return spdlog::level::warn;
    case LogLevel::kError: return spdlog::level::err;
    case LogLevel::kOff: return spdlog::level::off;
  }
  return spdlog::level::info;
}

}  // namespace

void InitLogging(const LogOptions& options) {
  std::vector<spdlog::sink_ptr> sinks;
  sinks.push_back(
      std::make_shared<RedactingSink>(std::make_shared<spdlog::sinks::stderr_sink_mt>()));
  if (!options.file.empty()) {
    sinks.push_back(std::make_shared<RedactingSink>(
        std::make_shared<spdlog::sinks::basic_file_sink_mt>(options.file)));
  }
  auto logger = std::make_shared<spdlog::logger>("silverwork", sinks.begin(), sinks.end());
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  logger->set_level(ToSpdlog(options.level));
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

void RegisterSecret(const std::string& secret) {
  if (secret.empty()) return;
  auto& registry = Secrets();
  std::unique_lock lock(registry.mutex);
  for (const auto& known : registry.secrets)
    if (known == secret) return;
  registry.secrets.push_back(secret);
}

std::string RedactSecrets(std::string text) {
  auto& registry = Secrets();
  std::shared_lock lock(registry.mutex);
  for (const auto& secret : registry.secrets) {
    for (size_t pos = text.find(secret); pos != std::string::npos;
         pos = text.find(secret, pos + 3)) {
      text.replace(pos, secret.size(), "***");
    }
  }
  return text;
}

bool StderrIsInteractive() {
  const char* ci = std::getenv("CI");
  if (ci != nullptr && *ci != '\0' && std::string(ci) != "false") return false;
  return isatty(STDERR_FILENO) == 1;
}

Progress::Progress(std::string label, int64_t total, std::chrono::seconds quiet_interval)
    : label_(std::move(label)),
      total_(total),
      interactive_(StderrIsInteractive()),
      quiet_interval_(quiet_interval),
      started_(DefaultClock().Monotonic()),
      last_draw_(started_) {}

Progress::~Progress() { Finish(); }

void Progress::SetTotal(int64_t total) {
  std::lock_guard lock(mutex_);
  total_ = total;
}

void Progress::Add(int64_t delta) {
  std::lock_guard lock(mutex_);
  done_ += delta;
  MaybeDraw(false);
}

void Progress::Finish() {
  std::lock_guard lock(mutex_);
  if (finished_) return;
  finished_ = true;
  MaybeDraw(true);
  if (interactive_) std::fputc('\n', stderr);
}

void Progress::MaybeDraw(bool force) {
  auto now = DefaultClock().Monotonic();
  double seconds = std::chrono::duration<double>(now - started_).count();
  double rate = seconds > 0 ? static_cast<double>(done_) / seconds : 0.0;
  if (interactive_) {
    if (!force && now - last_draw_ < std::chrono::milliseconds(100)) return;
    last_draw_ = now;
    constexpr int kWidth = 30;
    int filled = total_ > 0 ? static_cast<int>(kWidth * std::min<int64_t>(done_, total_) / total_) : 0;
    std::string bar(static_cast<size_t>(filled), '#');
    bar.resize(kWidth, '.');
    if (total_ > 0) {
      std::fprintf(stderr, "\r%-18s [%s] %lld/%lld  %.0f/s ", label_.c_str(), bar.c_str(),
                   static_cast<long long>(done_), static_cast<long long>(total_), rate);
    } else {
      std::fprintf(stderr, "\r%-18s %lld  %.0f/s ", label_.c_str(), static_cast<long long>(done_),
                   rate);
    }
    std::fflush(stderr);
    return;
  }
  if (!force && now - last_draw_ < quiet_interval_) return;
  last_draw_ = now;
  if (total_ > 0) {
    spdlog::info("{}: {}/{} ({:.0f}/s)", label_, done_, total_, rate);
  } else {
    spdlog::info("{}: {} ({:.0f}/s)", label_, done_, rate);
  }
}

}  // namespace silverwork
