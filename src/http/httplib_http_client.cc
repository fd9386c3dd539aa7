// HttpClient on cpp-httplib: one httplib::Client per origin (scheme, host,
// port) this client has talked to lately, each keeping its connection alive.
// See http_client.h for what it does and does not do.
#include <httplib.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/header_text.h"
#include "http/http_client.h"
#include "http/ignore_sigpipe.h"
#include "http/proxy.h"
#include "http/transport_error.h"
#include "http/url_parts.h"

namespace silverwork {

const std::string* HttpResponse::Header(std::string_view lower_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) return &value;
  }
  return nullptr;
}

namespace {

using SteadyClock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr std::string_view kGet = "GET";
constexpr std::string_view kPost = "POST";
constexpr size_t kMaxKeptOrigins = 4;
constexpr char kUserAgent[] = "silverwork/0.1";

bool IsRedirect(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

using http_text::LowerCase;

// What one request on the wire needs, besides its URL.
struct Call {
  std::string_view method;
  std::string_view url_for_errors;
  std::string_view content_type;  // POST only
  std::string_view body;          // POST only
  milliseconds timeout;
  SteadyClock::time_point deadline;
};

// What httplib reported for an exchange that produced no response, and what
// the client saw of it.
struct Failure {
  httplib::Error error = httplib::Error::Unknown;
  bool timed_out = false;
  bool partial_body = false;  // part of a body with a known length arrived
};

// libcurl's words for each failure (see transport_error.h).
std::string_view Why(const Failure& failure) {
  if (failure.timed_out) return "Timeout was reached";
  if (failure.partial_body) return "Transferred a partial file";
  switch (failure.error) {
    case httplib::Error::Connection:
      return "Couldn't connect to server";
    case httplib::Error::Read:
      return "Failure when receiving data from the peer";
    case httplib::Error::Write:
      return "Failed sending data to the peer";
    case httplib::Error::SSLConnection:
      return "SSL connect error";
    case httplib::Error::Compression:
      return "Unrecognized or bad HTTP Content or Transfer-Encoding";
    default:
      return "Unknown error";
  }
}

// Whether a failure was the call's time running out. httplib reports a read
// or write that waited its whole timeout as any other Read or Write error.
bool TimedOut(httplib::Error error, bool waited_whole_timeout) {
  switch (error) {
    case httplib::Error::ConnectionTimeout:
    case httplib::Error::Canceled:  // by the deadline check in Exchange
      return true;
    case httplib::Error::Connection:
    case httplib::Error::Read:
    case httplib::Error::Write:
      return waited_whole_timeout;
    default:
      return false;
  }
}

HttpResponse FromHttplib(httplib::Response& answer) {
  HttpResponse response;
  response.status = answer.status;
  response.body = std::move(answer.body);
  response.headers.reserve(answer.headers.size());
  for (auto& [name, value] : answer.headers) response.headers.emplace_back(LowerCase(name), value);
  if (const std::string* type = response.Header("content-type")) response.content_type = *type;
  return response;
}

class HttplibHttpClient final : public HttpClient {
 public:
  explicit HttplibHttpClient(HttpClientOptions options) : options_(std::move(options)) {
    IgnoreSigpipe();
  }
  HttplibHttpClient(const HttplibHttpClient&) = delete;
  HttplibHttpClient& operator=(const HttplibHttpClient&) = delete;

  Result<HttpResponse> Get(const std::string& url, std::string_view url_for_errors,
                           milliseconds timeout) override {
    return Send({.method = kGet, .url_for_errors = url_for_errors, .timeout = timeout}, url);
  }
  Result<HttpResponse> Post(const std::string& url, std::string_view url_for_errors,
                            std::string_view content_type, std::string_view body,
                            milliseconds timeout) override {
    return Send({.method = kPost,
                 .url_for_errors = url_for_errors,
                 .content_type = content_type,
                 .body = body,
                 .timeout = timeout},
                url);
  }

 private:
  // A client kept for one origin, and how it reaches it.
  struct Origin {
    std::string name;  // UrlParts::Origin()
    std::unique_ptr<httplib::Client> client;
    std::optional<ProxyServer> proxy;
  };

  // Send follows a GET's redirects; Exchange is one request and answer.
  Result<HttpResponse> Send(Call call, const std::string& url);
  Result<HttpResponse> Exchange(const Call& call, const UrlParts& url);
  Result<Origin*> OriginFor(const UrlParts& url);
  Status Refused(const Call& call, const UrlParts& url, const Origin& origin,
                 const Failure& failure) const;

  const HttpClientOptions options_;
  std::vector<Origin> origins_;  // most recently created last
};

Result<HttpResponse> HttplibHttpClient::Send(Call call, const std::string& url) {
  std::optional<UrlParts> parts = SplitHttpUrl(url);
  if (!parts) {
    return Status(ErrorCode::kInvalidInput,
                  std::string(call.method) + " " + std::string(call.url_for_errors) +
                      ": not an http:// or https:// URL silverwork can call",
                  "check the base URL in the config: scheme://host[:port], no user:password@");
  }
  call.deadline = SteadyClock::now() + call.timeout;
  for (int redirects = 0;; ++redirects) {
    SW_ASSIGN_OR_RETURN(HttpResponse response, Exchange(call, *parts));
    const std::string* location = response.Header("location");
    if (call.method != kGet || !IsRedirect(response.status) || location == nullptr) {
      return response;
    }
    if (redirects == kMaxRedirects) {
      return TransportError(call.method, call.url_for_errors,
                            "Maximum (" + std::to_string(kMaxRedirects) + ") redirects followed",
                            false);
    }
    std::optional<UrlParts> next = SplitHttpUrl(ResolveLocation(*parts, *location));
    if (!next || (parts->https && !next->https)) {
      return Status(ErrorCode::kRemote,
                    std::string(call.method) + " " + std::string(call.url_for_errors) +
                        " was redirected to a URL silverwork will not follow" +
                        (next ? " (from https down to http)" : ""),
                    "point the base URL in the config at where the service lives now");
    }
    parts = std::move(next);
  }
}

Result<HttpResponse> HttplibHttpClient::Exchange(const Call& call, const UrlParts& url) {
  SW_ASSIGN_OR_RETURN(Origin * origin, OriginFor(url));
  httplib::Client& client = *origin->client;
  httplib::Request request;
  request.method = std::string(call.method);
  request.path = url.target;
  request.headers = {{"User-Agent", kUserAgent}, {"Accept-Encoding", "gzip, deflate"}};
  if (call.method == kPost) {
    request.body = std::string(call.body);
    request.headers.emplace("Content-Type", std::string(call.content_type));
  }
  Failure failure;
  uint64_t received = 0, expected = 0;
  // Called as a body with a known length arrives: the whole-call deadline.
  request.progress = [&](uint64_t current, uint64_t total) {
    received = current;
    expected = total;
    return SteadyClock::now() < call.deadline;
  };
  // A kept-alive connection the server closed meanwhile fails at once: like
  // libcurl, a GET tries once more on a fresh one.
  for (int attempt = 1; attempt <= 2; ++attempt) {
    const SteadyClock::time_point started = SteadyClock::now();
    auto left = std::chrono::ceil<milliseconds>(call.deadline - started);
    if (left <= milliseconds(0)) {
      return TransportError(call.method, call.url_for_errors, Why({.timed_out = true}), true);
    }
    client.set_connection_timeout(std::min(left, kMaxConnectTimeout));
    client.set_read_timeout(left);
    client.set_write_timeout(left);
    const bool reused = client.is_socket_open() != 0;
    httplib::Response answer;
    received = expected = 0;
    if (client.send(request, answer, failure.error)) return FromHttplib(answer);
    failure.timed_out = TimedOut(failure.error, SteadyClock::now() - started >= left);
    failure.partial_body = received > 0 && received < expected;
    const bool stale =
        reused && !failure.timed_out && received == 0 &&
        (failure.error == httplib::Error::Read || failure.error == httplib::Error::Write);
    if (!(stale && call.method == kGet)) break;
  }
  return Refused(call, url, *origin, failure);
}

Result<HttplibHttpClient::Origin*> HttplibHttpClient::OriginFor(const UrlParts& url) {
  std::string name = url.Origin();
  for (Origin& origin : origins_) {
    if (origin.name == name) return &origin;
  }
  SW_ASSIGN_OR_RETURN(std::optional<ProxyServer> proxy, ChooseProxy(options_.proxies, url));
  auto client = std::make_unique<httplib::Client>(name);
  client->set_keep_alive(true);
  client->set_url_encode(false);  // callers pass encoded URLs
  client->set_tcp_nodelay(true);
  client->set_follow_location(false);  // Send follows, with its own rules
  client->set_decompress(true);
  if (proxy) {
    client->set_proxy(proxy->host, proxy->port);
    if (!proxy->user.empty()) client->set_proxy_basic_auth(proxy->user, proxy->password);
  }
  if (url.https) {
    client->enable_server_certificate_verification(true);
    // Added to the context's store; httplib adds the system's when it first
    // connects (it sets no path of its own).
    if (!options_.ca_file.empty() &&
        SSL_CTX_load_verify_locations(client->ssl_context(), options_.ca_file.c_str(), nullptr) !=
            1) {
      ERR_clear_error();
      return Status(ErrorCode::kIO,
                    "cannot load CA certificates from '" + options_.ca_file + "' ([http] ca_file)",
                    "name a readable PEM file of CA certificates, or remove [http] ca_file");
    }
  }
  if (origins_.size() == kMaxKeptOrigins) origins_.erase(origins_.begin());
  origins_.push_back(Origin{std::move(name), std::move(client), std::move(proxy)});
  return &origins_.back();
}

Status HttplibHttpClient::Refused(const Call& call, const UrlParts& url, const Origin& origin,
                                  const Failure& failure) const {
  const std::string what = std::string(call.method) + " " + std::string(call.url_for_errors);
  if (failure.error == httplib::Error::SSLServerVerification) {
    long verify_result = origin.client->get_openssl_verify_result();
    std::string why = verify_result == X509_V_OK
                          ? "the certificate it presented does not name " + url.host
                          : "the certificate of " + url.host + " is not trusted (" +
                                X509_verify_cert_error_string(verify_result) + ")";
    std::string trusted = options_.ca_file.empty()
                              ? "the system's CA certificates"
                              : "the system's CA certificates and " + options_.ca_file;
    return Status(ErrorCode::kAuth, what + " failed: " + why,
                  "checked against " + trusted + "; if " + url.host +
                      " uses a private CA, set [http] ca_file in the config to its CA certificate "
                      "(PEM), otherwise check the base URL and the machine's clock");
  }
  std::string why(Why(failure));
  if (origin.proxy) why += " (through the proxy " + origin.proxy->shown + ")";
  return TransportError(call.method, call.url_for_errors, why, failure.timed_out);
}

}  // namespace

std::unique_ptr<HttpClient> CreateHttpClient(const HttpClientOptions& options) {
  return std::make_unique<HttplibHttpClient>(options);
}

}  // namespace silverwork
