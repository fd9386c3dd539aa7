#include "serve/responses.h"

#include <fmt/format.h>

#include <chrono>

#include "common/log.h"

namespace silverwork::serve {
namespace {

using nlohmann::json;

struct CategoryStatus {
  ErrorCode category;
  HttpFailure failure;
};

// Categories not listed are bugs: 500.
constexpr CategoryStatus kCategoryStatuses[] = {
    {ErrorCode::kInvalidInput, {400, "invalid_request"}},
    {ErrorCode::kNotFound, {404, "not_found"}},
    {ErrorCode::kIO, {503, "unavailable"}},
    {ErrorCode::kDatabase, {503, "unavailable"}},
    {ErrorCode::kCancelled, {503, "unavailable"}},
};
constexpr HttpFailure kBug = {500, "internal"};

// A warehouse being rebuilt is back within a reload interval or two.
constexpr const char* kRetryAfterSeconds = "5";

}  // namespace

RequestIds::RequestIds(Clock& clock)
    : started_(static_cast<uint32_t>(
          std::chrono::duration_cast<std::chrono::seconds>(clock.Now().time_since_epoch())
              .count())) {}

std::string RequestIds::Next() {
  return fmt::format("{:08x}-{}", started_, sequence_.fetch_add(1, std::memory_order_relaxed) + 1);
}

std::string RequestIdOf(httplib::Response& res, RequestIds& ids) {
  if (res.has_header(kRequestIdHeader)) return res.get_header_value(kRequestIdHeader);
  std::string id = ids.Next();
  res.set_header(kRequestIdHeader, id);
  return id;
}

HttpFailure HttpFailureFor(ErrorCode category) {
  for (const CategoryStatus& entry : kCategoryStatuses) {
    if (entry.category == category) return entry.failure;
  }
  return kBug;
}

Status AsServerFailure(Status failure) {
  switch (failure.code()) {
    case ErrorCode::kNotFound:
      return Status(ErrorCode::kIO, failure.message(), failure.hint());
    case ErrorCode::kInvalidInput:
      return Status(ErrorCode::kInternal, failure.message(), failure.hint());
    default:
      return failure;
  }
}

std::string Dump(const json& body) {
  return body.dump(-1, ' ', false, json::error_handler_t::replace);
}

void SendJson(httplib::Response& res, int status, const json& body) {
  SendJsonText(res, status, Dump(body));
}

void SendJsonText(httplib::Response& res, int status, std::string body) {
  res.status = status;
  res.set_header("Cache-Control", "no-store");
  res.set_content(std::move(body), kJsonType);
}

void SendError(httplib::Response& res, int status, std::string_view code, std::string_view message,
               std::string_view hint, std::string_view parameter) {
  json error = {{"code", code},
                {"message", message},
                {"hint", hint},
                {"request_id", res.get_header_value(kRequestIdHeader)}};
  if (!parameter.empty()) error["parameter"] = parameter;
  SendJson(res, status, {{"error", std::move(error)}});
}

void SendBadParameter(httplib::Response& res, const BadParameter& bad) {
  SendError(res, 400, "invalid_parameter",
            fmt::format("parameter '{}': {}", bad.parameter, bad.message), bad.hint, bad.parameter);
}

void SendFailure(const httplib::Request& req, httplib::Response& res, const Status& failure) {
  const HttpFailure answer = HttpFailureFor(failure.code());
  if (answer.status >= 500) {
    spdlog::error("serve: request {} ({} {}) answered {}: {}",
                  res.get_header_value(kRequestIdHeader), req.method, req.path, answer.status,
                  failure.ToString());
  }
  if (answer.status == 503) res.set_header("Retry-After", kRetryAfterSeconds);
  const bool bug = answer.status == kBug.status;
  // A bug's own words help no user; they are in the log under the request id.
  SendError(res, answer.status, answer.code,
            bug ? "the server failed to answer this request" : failure.message(),
            bug ? "report the request id; the server's log has the details" : failure.hint());
}

}  // namespace silverwork::serve
