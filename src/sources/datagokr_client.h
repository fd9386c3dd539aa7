// Clients for the two data.go.kr sources silverwork collects.
//
// SenuriClient calls the 100세누리 postings API (getJobList, getJobInfo);
// ProjectsClient reads one projects file page by page through the odcloud
// API. Both share ApiCaller, which owns the policy every call follows:
//  - the service key is percent-decoded once and encoded exactly once;
//  - each attempt first takes a slot from the shared RateBudget;
//  - every HTTP response body is handed to the ResponseSink (the lake)
//    before it is interpreted, with the key removed from the request;
//  - success is decided from the body, never from the HTTP status alone;
//  - retryable failures (IsRetryable) are retried a bounded number of times
//    with exponential backoff and full jitter; key/access errors, a spent
//    quota and a retired endpoint fail at once.
//
// Thread-safety: a client owns an HttpClient, so use one client per worker
// thread. The ServiceKey, RateBudget and ResponseSink are shared and must be
// thread-safe (they are).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/status.h"
#include "http/http_client.h"
#include "sources/envelope.h"
#include "sources/rate_budget.h"

namespace silverwork {

// The service key. Accepts the portal's "Encoding" or "Decoding" form and
// keeps the decoded one. Registers every spelling with the log redactor.
class ServiceKey {
 public:
  explicit ServiceKey(std::string_view key_in_either_form);
  bool empty() const { return decoded_.empty(); }
  // The value to put after "serviceKey=": encoded exactly once.
  const std::string& ForUrl() const { return encoded_; }

 private:
  std::string decoded_;
  std::string encoded_;
};

// Receives every response as received. Thread-safe implementations only.
class ResponseSink {
 public:
  virtual ~ResponseSink() = default;
  // `request` is path?query without the key. A failure here fails the call:
  // a response that cannot be landed must not be loaded.
  virtual Status OnResponse(std::string_view dataset, std::string_view request, int http_status,
                            std::string_view fetched_at, std::string_view body) = 0;
};

struct RetryPolicy {
  static constexpr int kDefaultMaxAttempts = 5;
  int max_attempts = kDefaultMaxAttempts;
  std::chrono::milliseconds base_delay{500};
  std::chrono::milliseconds max_delay{30'000};
  // Base delay when the service says we are too fast (code 23).
  std::chrono::milliseconds rate_limited_delay{1'000};
};

struct ApiCallerOptions {
  std::string base_url;  // scheme://host[:port], no trailing slash needed
  // False for hosts outside the data.go.kr gateway that need no key (the
  // projects dataset's OpenAPI document): the key is then never sent.
  bool send_service_key = true;
  std::chrono::milliseconds timeout = HttpClient::kDefaultTimeout;
  RetryPolicy retry;
  uint64_t jitter_seed = 0;  // 0: seeded from std::random_device
};

struct ApiResponse {
  std::string request;  // path?query without the key
  int http_status = 0;
  std::string fetched_at;
  EnvelopePage page;
  int attempts = 0;
};

// Parses a body into an EnvelopePage (ParseSenuriXml or ParseOdcloudJson).
using EnvelopeParser = Result<EnvelopePage> (*)(std::string_view, int, std::string_view);

// Judges one HTTP answer (body, HTTP status, the URL to name in messages):
// OK when the call succeeded (the check keeps what it parsed), otherwise the
// failure, retried when IsRetryable().
using AnswerCheck = std::function<Status(std::string_view, int, std::string_view)>;

class ApiCaller {
 public:
  ApiCaller(ApiCallerOptions options, const ServiceKey& key, RateBudget& budget,
            ResponseSink* sink, Clock& clock, std::unique_ptr<HttpClient> http);
  ApiCaller(const ApiCaller&) = delete;
  ApiCaller& operator=(const ApiCaller&) = delete;

  // GETs base_url + path_and_query (+ "&serviceKey=…"), retrying per policy.
  // `operation` names the quota bucket, `dataset` the lake dataset.
  Result<ApiResponse> Call(std::string_view operation, std::string_view dataset,
                           const std::string& path_and_query, EnvelopeParser parser);

  // Call() for answers that are not envelopes: `check` decides success and
  // keeps the parsed answer. The returned response has an empty `page`.
  Result<ApiResponse> Exchange(std::string_view operation, std::string_view dataset,
                               const std::string& path_and_query, const AnswerCheck& check);

 private:
  std::chrono::milliseconds BackoffDelay(int attempt, const Status& failure);

  ApiCallerOptions options_;
  const ServiceKey& key_;
  RateBudget& budget_;
  ResponseSink* sink_;
  Clock& clock_;
  std::unique_ptr<HttpClient> http_;
  std::mt19937_64 jitter_;
};

class SenuriClient {
 public:
  static constexpr std::string_view kServicePath = "/B552474/SenuriService";
  static constexpr std::string_view kListOperation = "getJobList";
  static constexpr std::string_view kDetailOperation = "getJobInfo";

  explicit SenuriClient(std::unique_ptr<ApiCaller> caller) : caller_(std::move(caller)) {}

  Result<ApiResponse> ListPage(int64_t page_no, int64_t rows_per_page);
  // NODATA (code 03) comes back OK with no items: the posting is gone.
  Result<ApiResponse> Detail(std::string_view job_id);

 private:
  std::unique_ptr<ApiCaller> caller_;
};

class ProjectsClient {
 public:
  static constexpr std::string_view kDatasetPath = "/api/15050148/v1/uddi:";
  static constexpr std::string_view kOperation = "projects";

  explicit ProjectsClient(std::unique_ptr<ApiCaller> caller) : caller_(std::move(caller)) {}

  Result<ApiResponse> Page(std::string_view file_id, int64_t page, int64_t per_page);

  // The file id a Page() request (path?query, as landed) asked for; empty
  // when `request` is not one.
  static std::string FileIdOf(std::string_view request);

 private:
  std::unique_ptr<ApiCaller> caller_;
};

// Lake dataset names.
inline constexpr std::string_view kPostingsListDataset = "postings_list";
inline constexpr std::string_view kPostingsDetailDataset = "postings_detail";
inline constexpr std::string_view kProjectsDataset = "projects";

}  // namespace silverwork
