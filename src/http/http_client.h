// HttpClient: the HTTP transport of the data.go.kr clients and of webhooks.
//
// There is one implementation, on cpp-httplib's `httplib::Client` (Debian's
// build, with OpenSSL and zlib). It does:
//  - plain http and https, with keep-alive per origin (scheme, host, port);
//  - certificate verification, always on: the chain against the system's CA
//    certificates plus `HttpClientOptions::ca_file`, and the host name (or IP
//    address) against the certificate's names;
//  - gzip and deflate answers (asked for, and undone);
//  - redirects of GETs (301, 302, 303, 307, 308), at most kMaxRedirects, never
//    from https down to http; a POST's redirect comes back as the response;
//  - HTTP proxies named in the environment (ProxySettings): absolute-form
//    requests for http, a CONNECT tunnel for https, basic authentication from
//    the proxy URL.
// It does not do SOCKS or https:// proxies (calls fail with kUnsupported,
// saying so), HTTP/2, or cookies. libcurl, which an earlier version used for
// https and proxies, is no longer linked: nothing above needs it.
//
// Timeouts: `timeout` bounds connecting (at most kMaxConnectTimeout of it),
// each wait for the server to accept or send bytes, and the call as a whole
// (checked as the body arrives), so a server that trickles never holds a
// worker much beyond it.
//
// Failures: transport failures (refused, reset, timed out, truncated body)
// come back as ErrorCode::kNetwork, "<METHOD> <url_for_errors> failed: <why>",
// with libcurl's wording for `why` ("Timeout was reached", ...), which scripts
// grep for. A certificate that is not trusted or does not name the host is
// kAuth (not retried: configuration must change). Any HTTP answer, whatever
// its status code, is an HttpResponse: deciding what a 200 or a 500 means is
// the caller's job (data.go.kr reports most errors in a 200 body).
//
// Thread-safety: an HttpClient instance is NOT thread-safe. Give each worker
// thread its own (CreateHttpClient is cheap), so connections are reused per
// worker. Creating one makes the process ignore SIGPIPE (ignore_sigpipe.h).
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
  // Every header field received, names in lower case, values trimmed.
  std::vector<std::pair<std::string, std::string>> headers;

  // The value of the first header field called `lower_name`, or null.
  const std::string* Header(std::string_view lower_name) const;
};

class HttpClient {
 public:
  static constexpr std::chrono::milliseconds kDefaultTimeout{10'000};
  static constexpr std::chrono::milliseconds kMaxConnectTimeout{5'000};
  static constexpr int kMaxRedirects = 3;

  virtual ~HttpClient() = default;
  // GETs `url` (already encoded). `url_for_errors` is what error messages may
  // show: callers pass the URL with secrets removed.
  virtual Result<HttpResponse> Get(const std::string& url, std::string_view url_for_errors,
                                   std::chrono::milliseconds timeout) = 0;
  // POSTs `body` as `content_type` to `url`. Never retried or redirected by
  // the client: a POST may not be idempotent.
  virtual Result<HttpResponse> Post(const std::string& url, std::string_view url_for_errors,
                                    std::string_view content_type, std::string_view body,
                                    std::chrono::milliseconds timeout) = 0;
};

// Which HTTP proxy to use, as the environment says. Values are proxy URLs
// (http://[user:password@]host[:port], the scheme optional, port 1080 when
// left out); empty means a direct connection.
struct ProxySettings {
  std::string http_proxy;   // for http:// URLs
  std::string https_proxy;  // for https:// URLs
  // Comma-separated host names that bypass the proxy: "example.org" also
  // covers its subdomains, a leading dot is ignored, "*" covers every host.
  std::string no_proxy;

  // From http_proxy (lower case only, as libcurl: HTTP_PROXY can be set by a
  // CGI request's header), https_proxy or HTTPS_PROXY, then all_proxy or
  // ALL_PROXY for either scheme; no_proxy or NO_PROXY.
  static ProxySettings FromEnvironment();
};

struct HttpClientOptions {
  // A PEM file of CA certificates trusted for https besides the system's
  // (config: [http] ca_file). Empty: the system's only.
  std::string ca_file;
  ProxySettings proxies = ProxySettings::FromEnvironment();
};

// The HTTP client (see the top of this file). Not thread-safe.
std::unique_ptr<HttpClient> CreateHttpClient(const HttpClientOptions& options = {});

// RFC 3986 percent-encoding of everything but unreserved characters.
std::string PercentEncode(std::string_view text);
// Decodes %XX sequences (and '+' as space when `plus_as_space`). Invalid
// sequences are kept as they are.
std::string PercentDecode(std::string_view text, bool plus_as_space = false);

}  // namespace silverwork
