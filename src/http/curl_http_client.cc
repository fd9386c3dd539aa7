#include <curl/curl.h>

#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/header_text.h"
#include "http/http_client.h"
#include "http/transport_error.h"

namespace silverwork {
namespace {

void GlobalCurlInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

size_t AppendBody(char* data, size_t size, size_t count, void* user) {
  auto* body = static_cast<std::string*>(user);
  body->append(data, size * count);
  return size * count;
}

// libcurl passes each line of every answer's head: interim (1xx) answers and
// followed redirects start over with their status line, so only the final
// answer's fields remain.
size_t AppendHeaderField(char* data, size_t size, size_t count, void* user) {
  auto* headers = static_cast<std::vector<std::pair<std::string, std::string>>*>(user);
  std::string_view line(data, size * count);
  if (line.starts_with("HTTP/")) {
    headers->clear();
    return size * count;
  }
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  // The blank line that ends a head has no field and is skipped.
  http_text::ForEachHeaderField(line, true, [&](std::string_view name, std::string_view value) {
    headers->emplace_back(http_text::LowerCase(http_text::Trim(name)), std::string(value));
    return true;
  });
  return size * count;
}

class CurlHttpClient final : public HttpClient {
 public:
  CurlHttpClient() {
    GlobalCurlInit();
    handle_ = curl_easy_init();
  }
  ~CurlHttpClient() override {
    if (handle_ != nullptr) curl_easy_cleanup(handle_);
  }
  CurlHttpClient(const CurlHttpClient&) = delete;
  CurlHttpClient& operator=(const CurlHttpClient&) = delete;

  Result<HttpResponse> Get(const std::string& url, std::string_view url_for_errors,
                           std::chrono::milliseconds timeout) override {
    if (handle_ == nullptr) return Status(ErrorCode::kInternal, "libcurl failed to initialise");
    curl_easy_setopt(handle_, CURLOPT_HTTPGET, 1L);
    curl_easy_setopt(handle_, CURLOPT_FOLLOWLOCATION, 1L);
    return Perform("GET", url, url_for_errors, timeout);
  }

  Result<HttpResponse> Post(const std::string& url, std::string_view url_for_errors,
                            std::string_view content_type, std::string_view body,
                            std::chrono::milliseconds timeout) override {
    if (handle_ == nullptr) return Status(ErrorCode::kInternal, "libcurl failed to initialise");
    curl_slist* fields =
        curl_slist_append(nullptr, ("Content-Type: " + std::string(content_type)).c_str());
    // No "Expect: 100-continue" round trip before larger bodies.
    fields = curl_slist_append(fields, "Expect:");
    curl_easy_setopt(handle_, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    // Never null: with no data libcurl would read the body from stdin.
    curl_easy_setopt(handle_, CURLOPT_POSTFIELDS, body.empty() ? "" : body.data());
    curl_easy_setopt(handle_, CURLOPT_HTTPHEADER, fields);
    // Followed, a 301/302/303 would turn the POST into a GET.
    curl_easy_setopt(handle_, CURLOPT_FOLLOWLOCATION, 0L);
    Result<HttpResponse> response = Perform("POST", url, url_for_errors, timeout);
    curl_easy_setopt(handle_, CURLOPT_HTTPHEADER, nullptr);
    curl_slist_free_all(fields);
    return response;
  }

 private:
  // Runs the request the caller set up (method, body, redirects) with the
  // options every request shares.
  Result<HttpResponse> Perform(std::string_view method, const std::string& url,
                               std::string_view url_for_errors, std::chrono::milliseconds timeout) {
    HttpResponse response;
    curl_easy_setopt(handle_, CURLOPT_URL, url.c_str());
    curl_easy_setopt(handle_, CURLOPT_MAXREDIRS, 3L);
    curl_easy_setopt(handle_, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(handle_, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
    curl_easy_setopt(handle_, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(std::min<int64_t>(timeout.count(), 5000)));
    curl_easy_setopt(handle_, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(handle_, CURLOPT_ACCEPT_ENCODING, "");  // gzip if offered
    curl_easy_setopt(handle_, CURLOPT_USERAGENT, "silverwork/0.1");
    curl_easy_setopt(handle_, CURLOPT_WRITEFUNCTION, &AppendBody);
    curl_easy_setopt(handle_, CURLOPT_WRITEDATA, &response.body);
    curl_easy_setopt(handle_, CURLOPT_HEADERFUNCTION, &AppendHeaderField);
    curl_easy_setopt(handle_, CURLOPT_HEADERDATA, &response.headers);
    char error_buffer[CURL_ERROR_SIZE] = {0};
    curl_easy_setopt(handle_, CURLOPT_ERRORBUFFER, error_buffer);

    CURLcode code = curl_easy_perform(handle_);
    curl_easy_setopt(handle_, CURLOPT_ERRORBUFFER, nullptr);
    if (code != CURLE_OK) {
      // The error buffer may quote the URL; never pass it through unredacted.
      return TransportError(url_for_errors, curl_easy_strerror(code),
                            code == CURLE_OPERATION_TIMEDOUT, method);
    }
    long status = 0;
    curl_easy_getinfo(handle_, CURLINFO_RESPONSE_CODE, &status);
    response.status = static_cast<int>(status);
    char* content_type = nullptr;
    curl_easy_getinfo(handle_, CURLINFO_CONTENT_TYPE, &content_type);
    if (content_type != nullptr) response.content_type = content_type;
    return response;
  }

  CURL* handle_ = nullptr;
};

}  // namespace

std::unique_ptr<HttpClient> CreateLibcurlHttpClient() { return std::make_unique<CurlHttpClient>(); }

}  // namespace silverwork
