#include "scheduler/task_result.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "pipeline/task_outcome_json.h"

namespace silverwork::scheduler {
namespace {

Status IoError(const char* what, const std::filesystem::path& path) {
  return Status(ErrorCode::kIO,
                fmt::format("cannot {} {}: {}", what, path.string(), std::strerror(errno)),
                "check that the scheduler's logs_dir is writable and the disk is not full");
}

Status WriteAll(int fd, std::string_view text) {
  while (!text.empty()) {
    const ssize_t written = write(fd, text.data(), text.size());
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) return Status(ErrorCode::kIO, std::strerror(errno));
    text.remove_prefix(static_cast<size_t>(written));
  }
  return Status::Ok();
}

}  // namespace

std::filesystem::path TaskResultPath(const std::filesystem::path& log_path) {
  std::filesystem::path path = log_path;
  path.replace_extension(".result.json");
  return path;
}

ErrorCode ErrorCodeNamed(std::string_view name) {
  for (int code = static_cast<int>(ErrorCode::kInvalidInput);
       code <= static_cast<int>(ErrorCode::kInternal); ++code)
    if (name == ErrorCodeName(static_cast<ErrorCode>(code))) return static_cast<ErrorCode>(code);
  return ErrorCode::kInternal;
}

std::string TaskResultJson(const TaskResult& result) {
  nlohmann::ordered_json json;
  json["exit_code"] = result.exit_code;
  json["status"] = result.status;
  json["ledger_run_id"] = result.ledger_run_id;
  json["figures"] = nlohmann::ordered_json::object();
  for (const auto& [name, value] : result.figures) json["figures"][name] = value;
  AddTaskOutcomeJson(result.freshness, result.error, json);
  return json.dump();
}

Result<TaskResult> ParseTaskResult(std::string_view text) {
  nlohmann::json json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  auto corrupt = [](std::string_view what) {
    return Status(ErrorCode::kCorrupt, fmt::format("a task result file {}", what),
                  "it is written by `silverwork task run`; the try's log says what happened");
  };
  if (!json.is_object() || !json.contains("exit_code") || !json["exit_code"].is_number_integer())
    return corrupt("is not a JSON object with an integer exit_code");
  TaskResult result;
  result.exit_code = json["exit_code"].get<int>();
  if (json.contains("status") && json["status"].is_string())
    result.status = json["status"].get<std::string>();
  if (json.contains("ledger_run_id") && json["ledger_run_id"].is_string())
    result.ledger_run_id = json["ledger_run_id"].get<std::string>();
  if (json.contains("figures") && json["figures"].is_object()) {
    for (const auto& [name, value] : json["figures"].items())
      if (value.is_number_integer()) result.figures.emplace_back(name, value.get<int64_t>());
  }
  if (json.contains("freshness") && json["freshness"].is_array()) {
    for (const nlohmann::json& check : json["freshness"]) {
      if (!check.is_object()) return corrupt("has a freshness check that is not an object");
      auto text_of = [&](const char* key) {
        return check.contains(key) && check[key].is_string() ? check[key].get<std::string>() : "";
      };
      FreshnessCheck parsed{text_of("source"), text_of("status"), text_of("message")};
      if (parsed.source.empty() || parsed.status.empty())
        return corrupt("has a freshness check without a source or a status");
      result.freshness.push_back(std::move(parsed));
    }
  }
  if (json.contains("error") && json["error"].is_object()) {
    const nlohmann::json& error = json["error"];
    auto text_of = [&](const char* key) {
      return error.contains(key) && error[key].is_string() ? error[key].get<std::string>() : "";
    };
    result.error = Status(ErrorCodeNamed(text_of("code")), text_of("message"), text_of("hint"));
    if (result.error.message().empty()) return corrupt("has an error without a message");
  }
  return result;
}

Status WriteTaskResult(const std::filesystem::path& path, const TaskResult& result) {
  const std::filesystem::path temporary = path.string() + ".tmp";
  const int fd = open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return IoError("create", temporary);
  Status written = WriteAll(fd, TaskResultJson(result) + "\n");
  if (written.ok() && fsync(fd) != 0) written = IoError("sync", temporary);
  close(fd);
  if (!written.ok()) return written.WithContext(temporary.string());
  if (rename(temporary.c_str(), path.c_str()) != 0) return IoError("rename", temporary);
  return Status::Ok();
}

Result<std::optional<TaskResult>> ReadTaskResult(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) return std::optional<TaskResult>();
  std::stringstream buffer;
  buffer << in.rdbuf();
  SW_ASSIGN_OR_RETURN(TaskResult result, ParseTaskResult(buffer.str()));
  return std::optional<TaskResult>(std::move(result));
}

}  // namespace silverwork::scheduler
