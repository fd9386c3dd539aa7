// HttpClient: the abstract HTTP transport the data.go.kr clients use.
//
// Transport failures (refused, reset, timed out, truncated body) come back as
// a Status with ErrorCode::kNetwork; any HTTP answer, whatever its status
// code, comes back as an HttpResponse: deciding what a 200 or a 500 means is
// the caller's job (data.go.kr reports most errors in a 200 body). An
// HttpClient instance is NOT thread-safe: give each worker thread its own
// (CreateHttpClient is cheap) so connections are reused per worker.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace silverwork {

struct HttpResponse {
  int status = 0;
  std::string content_type;
  std::string body;
  // The final answer's header fields in the order received: names
  // lower-cased, values without surrounding whitespace.
  std::vector<std::pair<std::string, std::string>> headers;

  // The value of the first header field called `lower_name` (lower-case),
  // or null.
  const std::string* Header(std::string_view lower_name) const {
    for (const auto& [name, value] : headers)
      if (name == lower_name) return &value;
    return nullptr;
  }
};

class HttpClient {
 public:
  static constexpr std::chrono::milliseconds kDefaultTimeout{10'000};

  virtual ~HttpClient() = default;
  // GETs `url` (already encoded). `url_for_errors` is what error messages may
  // show: callers pass the URL with secrets removed.
  virtual Result<HttpResponse> Get(const std::string& url, std::string_view url_for_errors,
                                   std::chrono::milliseconds timeout) = 0;
  // POSTs `body` with the given Content-Type to `url`, once: no redirect is
  // followed and nothing is retried (a POST need not be idempotent).
  // `url_for_errors` as for Get.
  virtual Result<HttpResponse> Post(const std::string& url, std::string_view url_for_errors,
                                    std::string_view content_type, std::string_view body,
                                    std::chrono::milliseconds timeout) = 0;
};

// The default client, with keep-alive. Plain http:// GETs run over one
// socket driven directly, which costs a fraction of libcurl's CPU per call;
// https, redirects, compressed answers, POSTs and every call when the
// environment names a proxy (http_proxy, all_proxy) go through libcurl. Both paths
// report failures alike (same categories and messages). Not thread-safe.
std::unique_ptr<HttpClient> CreateHttpClient();
// libcurl for every call, with keep-alive. Not thread-safe.
std::unique_ptr<HttpClient> CreateLibcurlHttpClient();

// RFC 3986 percent-encoding of everything but unreserved characters.
std::string PercentEncode(std::string_view text);
// Decodes %XX sequences (and '+' as space when `plus_as_space`). Invalid
// sequences are kept as they are.
std::string PercentDecode(std::string_view text, bool plus_as_space = false);

}  // namespace silverwork
