// How the server answers: JSON bodies, errors in one shape, the one table
// from a failure's category (ErrorCode) to its HTTP status, and the request
// ids that tie an answer to its log line.
//
// Every error body is
//   {"error": {"code", "message", "hint", "request_id"[, "parameter"]}}
// and every response carries the same id in its X-Request-Id header. A 5xx
// is logged with that id, so a user's report ("request 67ea2a00-12 failed")
// finds the server's line.
//
// Free functions over one request's Response (not shared between threads);
// RequestIds is thread-safe.
#pragma once

#include <httplib.h>

#include <atomic>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/status.h"
#include "serve/query.h"

namespace silverwork::serve {

inline constexpr const char* kRequestIdHeader = "X-Request-Id";
// A charset parameter also keeps the HTTP layer from compressing each response.
inline constexpr const char* kJsonType = "application/json; charset=utf-8";

// Hands out the ids of one server's requests: "<server start, hex
// seconds>-<sequence>", unique within a server's life and ordered.
class RequestIds {
 public:
  explicit RequestIds(Clock& clock);
  std::string Next();

 private:
  const uint32_t started_;
  std::atomic<uint64_t> sequence_{0};
};

// The id `res` carries, giving it the next one first when it has none.
std::string RequestIdOf(httplib::Response& res, RequestIds& ids);

// What a failure category answers with: the HTTP status and the error code
// of the JSON body. Bad input 400, a missing thing 404, a warehouse that
// cannot be read now 503 (with Retry-After), and everything else, being a
// bug, 500.
struct HttpFailure {
  int status;
  std::string_view code;
};
HttpFailure HttpFailureFor(ErrorCode category);

// A failure from inside the server as a request sees it: a table or file the
// warehouse lacks, or SQL it refuses, says nothing about the URL asked for,
// so kNotFound becomes kIO (the warehouse cannot serve it now) and
// kInvalidInput kInternal (the server's own query is wrong).
Status AsServerFailure(Status failure);

// Serializes `body`; text from the warehouse may hold invalid UTF-8, which is
// replaced rather than failing the response.
std::string Dump(const nlohmann::json& body);
void SendJson(httplib::Response& res, int status, const nlohmann::json& body);
// The same for a body already written as JSON text (json_writer.h).
void SendJsonText(httplib::Response& res, int status, std::string body);

// The error body for `status` with its request id (taken from `res`, which
// must carry one: see RequestIdOf).
void SendError(httplib::Response& res, int status, std::string_view code, std::string_view message,
               std::string_view hint, std::string_view parameter = {});
// 400 naming the parameter.
void SendBadParameter(httplib::Response& res, const BadParameter& bad);
// The status HttpFailureFor gives `failure`'s category; 5xx are logged with
// the request's method, path and id.
void SendFailure(const httplib::Request& req, httplib::Response& res, const Status& failure);

}  // namespace silverwork::serve
