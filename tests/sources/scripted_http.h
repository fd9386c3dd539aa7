// Test doubles for the sources tests: an HttpClient that answers from a
// script, and a ResponseSink that records what was landed.
#pragma once

#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include "http/http_client.h"
#include "sources/datagokr_client.h"

namespace silverwork {

// Answers from a script, then `when_done` for every later call, and records
// the URLs it was asked for. Not thread-safe (one per ApiCaller).
class ScriptedHttpClient final : public HttpClient {
 public:
  ScriptedHttpClient(std::deque<Result<HttpResponse>> script, HttpResponse when_done)
      : script_(std::move(script)), when_done_(std::move(when_done)) {}
  Result<HttpResponse> Get(const std::string& url, std::string_view,
                           std::chrono::milliseconds) override {
    urls.push_back(url);
    if (script_.empty()) return when_done_;
    auto next = std::move(script_.front());
    script_.pop_front();
    return next;
  }
  Result<HttpResponse> Post(const std::string&, std::string_view, std::string_view,
                            std::string_view, std::chrono::milliseconds) override {
    return Status(ErrorCode::kUnsupported, "the data.go.kr clients only GET");
  }
  std::vector<std::string> urls;

 private:
  std::deque<Result<HttpResponse>> script_;
  HttpResponse when_done_;
};

// Records "dataset request body" for each landed response. Thread-safe.
class RecordingSink final : public ResponseSink {
 public:
  Status OnResponse(std::string_view dataset, std::string_view request, int, std::string_view,
                    std::string_view body) override {
    std::lock_guard lock(mutex);
    records.push_back(std::string(dataset) + " " + std::string(request) + " " + std::string(body));
    return Status::Ok();
  }
  std::mutex mutex;
  std::vector<std::string> records;
};

}  // namespace silverwork
