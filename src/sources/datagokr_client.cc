#include "sources/datagokr_client.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "common/date.h"
#include "common/log.h"

namespace silverwork {

ServiceKey::ServiceKey(std::string_view key_in_either_form) {
  std::string trimmed(key_in_either_form);
  while (!trimmed.empty() && (trimmed.back() == '\n' || trimmed.back() == '\r' ||
                              trimmed.back() == ' '))
    trimmed.pop_back();
  // A decoded key never contains '%'; an encoded one does wherever the
  // decoded key had '+', '/' or '='. Decoding once covers both forms.
  decoded_ = PercentDecode(trimmed);
  encoded_ = PercentEncode(decoded_);
  RegisterSecret(trimmed);
  RegisterSecret(decoded_);
  RegisterSecret(encoded_);
  RegisterSecret(PercentEncode(encoded_));
}

ApiCaller::ApiCaller(ApiCallerOptions options, const ServiceKey& key, RateBudget& budget,
                     ResponseSink* sink, Clock& clock, std::unique_ptr<HttpClient> http)
    : options_(std::move(options)),
      key_(key),
      budget_(budget),
      sink_(sink),
      clock_(clock),
      http_(std::move(http)),
      jitter_(options_.jitter_seed != 0 ? options_.jitter_seed : std::random_device{}()) {
  while (!options_.base_url.empty() && options_.base_url.back() == '/') options_.base_url.pop_back();
}

std::chrono::milliseconds ApiCaller::BackoffDelay(int attempt, const Status& failure) {
  auto base = failure.code() == ErrorCode::kRateLimited ? options_.retry.rate_limited_delay
                                                        : options_.retry.base_delay;
  int64_t ceiling = base.count() << std::min(attempt - 1, 20);
  ceiling = std::min<int64_t>(ceiling, std::max(options_.retry.max_delay, base).count());
  // Full jitter: uniform in [ceiling/2, ceiling] keeps a floor so a
  // struggling service always gets some rest.
  std::uniform_int_distribution<int64_t> pick(ceiling / 2, std::max<int64_t>(ceiling, 1));
  return std::chrono::milliseconds(pick(jitter_));
}

Result<ApiResponse> ApiCaller::Call(std::string_view operation, std::string_view dataset,
                                    const std::string& path_and_query, EnvelopeParser parser) {
  EnvelopePage page;
  auto keep_page = [&page, parser](std::string_view body, int http_status,
                                   std::string_view shown) -> Status {
    Result<EnvelopePage> parsed = parser(body, http_status, shown);
    if (!parsed.ok()) return parsed.status();
    page = std::move(parsed).value();
    return Status::Ok();
  };
  SW_ASSIGN_OR_RETURN(ApiResponse response,
                      Exchange(operation, dataset, path_and_query, keep_page));
  response.page = std::move(page);
  return response;
}

Result<ApiResponse> ApiCaller::Exchange(std::string_view operation, std::string_view dataset,
                                        const std::string& path_and_query,
                                        const AnswerCheck& check) {
  const std::string operation_name(operation);
  std::string url = options_.base_url + path_and_query;
  if (options_.send_service_key) {
    url += (path_and_query.find('?') == std::string::npos ? "?" : "&");
    url += "serviceKey=" + key_.ForUrl();
  }
  const std::string shown = options_.base_url + path_and_query;

  Status last_failure;
  for (int attempt = 1; attempt <= options_.retry.max_attempts; ++attempt) {
    SW_RETURN_IF_ERROR(budget_.Acquire(operation_name));
    Result<HttpResponse> http = http_->Get(url, shown, options_.timeout);
    Status failure;
    if (http.ok()) {
      std::string fetched_at = FormatUtcTimestamp(clock_.Now());
      if (sink_ != nullptr) {
        SW_RETURN_IF_ERROR(
            sink_->OnResponse(dataset, path_and_query, http->status, fetched_at, http->body));
      }
      failure = check(http->body, http->status, shown);
      if (failure.ok()) {
        ApiResponse response;
        response.request = path_and_query;
        response.http_status = http->status;
        response.fetched_at = std::move(fetched_at);
        response.attempts = attempt;
        return response;
      }
    } else {
      failure = http.status();
    }
    if (failure.IsQuotaExhausted()) budget_.MarkExhausted(operation_name);
    if (failure.code() == ErrorCode::kRateLimited) {
      double rate = budget_.SlowDown();
      spdlog::warn("the service asks for fewer calls per second; slowing down to {:.1f}/s", rate);
    }
    if (!IsRetryable(failure)) return failure;
    last_failure = failure;
    if (attempt == options_.retry.max_attempts) break;
    auto delay = BackoffDelay(attempt, failure);
    spdlog::warn("{} (attempt {}/{}); retrying in {} ms", failure.message(), attempt,
                 options_.retry.max_attempts, delay.count());
    clock_.SleepFor(delay);
  }
  return Status(last_failure.code(),
                last_failure.message() + " — gave up after " +
                    std::to_string(options_.retry.max_attempts) + " attempts",
                "the service kept failing; progress is saved, run the command again later");
}

Result<ApiResponse> SenuriClient::ListPage(int64_t page_no, int64_t rows_per_page) {
  std::string path = std::string(kServicePath) + "/" + std::string(kListOperation) +
                     "?pageNo=" + std::to_string(page_no) +
                     "&numOfRows=" + std::to_string(rows_per_page);
  return caller_->Call(kListOperation, kPostingsListDataset, path, &ParseSenuriXml);
}

Result<ApiResponse> SenuriClient::Detail(std::string_view job_id) {
  std::string path = std::string(kServicePath) + "/" + std::string(kDetailOperation) +
                     "?id=" + PercentEncode(job_id);
  return caller_->Call(kDetailOperation, kPostingsDetailDataset, path, &ParseSenuriXml);
}

Result<ApiResponse> ProjectsClient::Page(std::string_view file_id, int64_t page, int64_t per_page) {
  std::string path = std::string(kDatasetPath) + PercentEncode(file_id) +
                     "?page=" + std::to_string(page) + "&perPage=" + std::to_string(per_page) +
                     "&returnType=JSON";
  return caller_->Call(kOperation, kProjectsDataset, path, &ParseOdcloudJson);
}

std::string ProjectsClient::FileIdOf(std::string_view request) {
  size_t start = request.find(kDatasetPath);
  if (start == std::string_view::npos) return {};
  start += kDatasetPath.size();
  size_t end = request.find('?', start);
  return PercentDecode(request.substr(start, end - start));  // npos - start: to the end
}

}  // namespace silverwork
