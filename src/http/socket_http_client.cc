// The default HttpClient: plain http:// GETs go over one kept-alive socket
// driven directly (poll + send/recv); everything else (https, userinfo,
// redirects, encoded bodies, POSTs) goes to libcurl.
//
// Why: the collector makes one call per posting, and against a local or fast
// service libcurl's per-call machinery (URL parsing, the multi loop, header
// callbacks, extra polls) cost more CPU than the call itself. The direct path
// behaves like libcurl where the callers can tell: the same error messages
// and categories, one silent retry when a reused connection turns out dead
// before any byte of the answer arrived, a connect timeout of at most 5 s
// inside the call's timeout, and no Accept-Encoding (so no compressed
// bodies to undo). With a proxy configured in the environment (http_proxy,
// all_proxy), every call goes through libcurl, which honours it.
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/header_text.h"
#include "http/http_client.h"
#include "http/transport_error.h"

namespace silverwork {
namespace {

using SteadyClock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr size_t kReadChunk = 64 << 10;
constexpr size_t kMaxHeadBytes = 64 << 10;
constexpr std::chrono::milliseconds kMaxConnectTimeout{5000};

using http_text::EqualsIgnoreCase;
using http_text::Trim;

// What the direct path needs from an http:// URL.
struct PlainUrl {
  std::string host;    // without brackets
  std::string port;    // digits
  std::string target;  // origin-form: /path?query
  std::string host_header;
};

// Parses http://host[:port][/path][?query]; nullopt for anything the direct
// path leaves to libcurl (another scheme, userinfo, unusual characters).
std::optional<PlainUrl> ParsePlainUrl(std::string_view url) {
  constexpr std::string_view kScheme = "http://";
  if (url.size() <= kScheme.size() || !EqualsIgnoreCase(url.substr(0, kScheme.size()), kScheme)) {
    return std::nullopt;
  }
  for (char ch : url) {
    if (static_cast<unsigned char>(ch) <= 0x20 || static_cast<unsigned char>(ch) >= 0x7f) {
      return std::nullopt;
    }
  }
  std::string_view rest = url.substr(kScheme.size());
  rest = rest.substr(0, rest.find('#'));
  size_t authority_end = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, authority_end);
  std::string_view target =
      authority_end == std::string_view::npos ? std::string_view() : rest.substr(authority_end);
  if (authority.empty() || authority.find('@') != std::string_view::npos) return std::nullopt;

  PlainUrl parsed;
  std::string_view port;
  if (authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    parsed.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return std::nullopt;
      port = after.substr(1);
    }
  } else {
    size_t colon = authority.rfind(':');
    parsed.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
  }
  if (parsed.host.empty()) return std::nullopt;
  if (!std::all_of(port.begin(), port.end(), [](char ch) { return ch >= '0' && ch <= '9'; }) ||
      port.size() > 5) {
    return std::nullopt;
  }
  parsed.port = port.empty() ? "80" : std::string(port);
  parsed.host_header = std::string(authority);
  if (target.empty()) {
    parsed.target = "/";
  } else if (target.front() == '?') {
    parsed.target = "/" + std::string(target);
  } else {
    parsed.target = std::string(target);
  }
  return parsed;
}

// The status line and the headers the client acts on.
struct ResponseHead {
  int status = 0;
  bool http10 = false;
  bool close = false;
  bool chunked = false;
  bool encoded = false;       // a Content-Encoding other than identity
  bool has_location = false;  // a redirect the caller may want followed
  std::optional<size_t> content_length;
  std::string content_type;
  std::vector<std::pair<std::string, std::string>> fields;  // names lower-cased
};

std::optional<ResponseHead> ParseResponseHead(std::string_view head) {
  size_t line_end = head.find("\r\n");
  std::string_view status_line = head.substr(0, line_end);
  if (!status_line.starts_with("HTTP/1.") || status_line.size() < 12 || status_line[8] != ' ') {
    return std::nullopt;
  }
  ResponseHead parsed;
  parsed.http10 = status_line[7] == '0';
  parsed.close = parsed.http10;
  for (size_t index = 9; index < 12; ++index) {
    char ch = status_line[index];
    if (ch < '0' || ch > '9') return std::nullopt;
    parsed.status = parsed.status * 10 + (ch - '0');
  }
  std::string_view rest = line_end == std::string_view::npos ? "" : head.substr(line_end + 2);
  // Lenient as a client: a malformed line is skipped, names are trimmed.
  bool taken =
      http_text::ForEachHeaderField(rest, true, [&](std::string_view name, std::string_view value) {
        name = Trim(name);
        parsed.fields.emplace_back(http_text::LowerCase(name), std::string(value));
        if (EqualsIgnoreCase(name, "Content-Length")) {
          std::optional<size_t> length = http_text::ParseContentLength(value);
          if (!length) return false;
          parsed.content_length = *length;
        } else if (EqualsIgnoreCase(name, "Transfer-Encoding")) {
          parsed.chunked = !EqualsIgnoreCase(value, "identity");
        } else if (EqualsIgnoreCase(name, "Connection")) {
          if (EqualsIgnoreCase(value, "close")) parsed.close = true;
          if (EqualsIgnoreCase(value, "keep-alive")) parsed.close = false;
        } else if (EqualsIgnoreCase(name, "Content-Type")) {
          parsed.content_type = std::string(value);
        } else if (EqualsIgnoreCase(name, "Content-Encoding")) {
          parsed.encoded = !EqualsIgnoreCase(value, "identity");
        } else if (EqualsIgnoreCase(name, "Location")) {
          parsed.has_location = true;
        }
        return true;
      });
  if (!taken) return std::nullopt;
  return parsed;
}

bool HasNoBody(int status) {
  return (status >= 100 && status < 200) || status == 204 || status == 304;
}

class SocketHttpClient final : public HttpClient {
 public:
  explicit SocketHttpClient(std::unique_ptr<HttpClient> fallback)
      : fallback_(std::move(fallback)) {}
  ~SocketHttpClient() override { Disconnect(); }
  SocketHttpClient(const SocketHttpClient&) = delete;
  SocketHttpClient& operator=(const SocketHttpClient&) = delete;

  Result<HttpResponse> Get(const std::string& url, std::string_view url_for_errors,
                           std::chrono::milliseconds timeout) override;
  // Rare (alerts), so libcurl's cost per call does not matter.
  Result<HttpResponse> Post(const std::string& url, std::string_view url_for_errors,
                            std::string_view content_type, std::string_view body,
                            std::chrono::milliseconds timeout) override {
    return fallback_->Post(url, url_for_errors, content_type, body, timeout);
  }

 private:
  // How one request/response exchange ended, when it did not produce a response.
  struct Failure {
    std::string why;
    bool timed_out = false;
    bool nothing_received = false;  // no byte of the answer arrived
  };
  // What a finished exchange asks the caller to do instead of returning.
  enum class Next { kReturn, kUseFallback };

  std::optional<Failure> Connect(const PlainUrl& url, SteadyClock::time_point deadline);
  std::optional<Failure> Exchange(const PlainUrl& url, SteadyClock::time_point deadline,
                                  HttpResponse& response, Next& next);
  std::optional<Failure> SendAll(std::string_view bytes, SteadyClock::time_point deadline);
  // Appends what arrives to buffer_. An EOF comes back as a Failure whose
  // `why` is empty, so callers can tell it from an error.
  std::optional<Failure> ReceiveSome(SteadyClock::time_point deadline);
  std::optional<Failure> WaitFor(short events, SteadyClock::time_point deadline);
  std::optional<Failure> ReadChunkedBody(size_t start, SteadyClock::time_point deadline,
                                         std::string& body);
  void Disconnect();

  std::unique_ptr<HttpClient> fallback_;
  int fd_ = -1;
  std::string connected_host_, connected_port_;
  std::string buffer_;  // received and not yet consumed
  std::array<char, kReadChunk> chunk_;
};

Result<HttpResponse> SocketHttpClient::Get(const std::string& url, std::string_view url_for_errors,
                                           std::chrono::milliseconds timeout) {
  std::optional<PlainUrl> parsed = ParsePlainUrl(url);
  if (!parsed) return fallback_->Get(url, url_for_errors, timeout);
  const SteadyClock::time_point deadline = SteadyClock::now() + timeout;
  for (int attempt = 1;; ++attempt) {
    const bool reused =
        fd_ >= 0 && connected_host_ == parsed->host && connected_port_ == parsed->port;
    std::optional<Failure> failure;
    if (!reused) {
      Disconnect();
      failure = Connect(*parsed, deadline);
    }
    HttpResponse response;
    Next next = Next::kReturn;
    if (!failure) failure = Exchange(*parsed, deadline, response, next);
    if (!failure) {
      if (next == Next::kUseFallback) return fallback_->Get(url, url_for_errors, timeout);
      return response;
    }
    Disconnect();
    // A kept-alive connection the server already closed: like libcurl, try
    // once more on a fresh one.
    if (reused && attempt == 1 && failure->nothing_received && !failure->timed_out) continue;
    if (failure->why.empty()) failure->why = "Server returned nothing (no headers, no data)";
    return TransportError(url_for_errors, failure->why, failure->timed_out);
  }
}

std::optional<SocketHttpClient::Failure> SocketHttpClient::Connect(
    const PlainUrl& url, SteadyClock::time_point deadline) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (::getaddrinfo(url.host.c_str(), url.port.c_str(), &hints, &found) != 0) {
    return Failure{.why = "Couldn't resolve host name"};
  }
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> addresses(found, &::freeaddrinfo);
  const SteadyClock::time_point connect_deadline =
      std::min(deadline, SteadyClock::now() + kMaxConnectTimeout);
  Failure last{.why = "Couldn't connect to server"};
  for (addrinfo* address = found; address != nullptr; address = address->ai_next) {
    fd_ = ::socket(address->ai_family, address->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd_ < 0) continue;
    int on = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    if (::connect(fd_, address->ai_addr, address->ai_addrlen) != 0 && errno != EINPROGRESS) {
      Disconnect();
      continue;
    }
    if (std::optional<Failure> waited = WaitFor(POLLOUT, connect_deadline)) {
      Disconnect();
      if (waited->timed_out) return waited;
      continue;
    }
    int error = 0;
    socklen_t length = sizeof error;
    if (::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &error, &length) != 0 || error != 0) {
      Disconnect();
      continue;
    }
    connected_host_ = url.host;
    connected_port_ = url.port;
    return std::nullopt;
  }
  return last;
}

std::optional<SocketHttpClient::Failure> SocketHttpClient::WaitFor(
    short events, SteadyClock::time_point deadline) {
  while (true) {
    auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - SteadyClock::now());
    if (left <= 0ms) return Failure{.why = "Timeout was reached", .timed_out = true};
    pollfd waiting{.fd = fd_, .events = events, .revents = 0};
    int ready = ::poll(&waiting, 1, static_cast<int>(std::min<int64_t>(left.count(), 1 << 30)));
    if (ready > 0) return std::nullopt;  // readable, writable, or an error to discover
    if (ready < 0 && errno != EINTR) return Failure{.why = "poll() failed"};
  }
}

std::optional<SocketHttpClient::Failure> SocketHttpClient::SendAll(
    std::string_view bytes, SteadyClock::time_point deadline) {
  while (!bytes.empty()) {
    ssize_t sent = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (sent > 0) {
      bytes.remove_prefix(static_cast<size_t>(sent));
      continue;
    }
    if (sent < 0 && errno == EINTR) continue;
    if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (std::optional<Failure> waited = WaitFor(POLLOUT, deadline)) return waited;
      continue;
    }
    return Failure{.why = "Failed sending data to the peer", .nothing_received = true};
  }
  return std::nullopt;
}

std::optional<SocketHttpClient::Failure> SocketHttpClient::ReceiveSome(
    SteadyClock::time_point deadline) {
  while (true) {
    ssize_t received = ::recv(fd_, chunk_.data(), chunk_.size(), 0);
    if (received > 0) {
      buffer_.append(chunk_.data(), static_cast<size_t>(received));
      return std::nullopt;
    }
    if (received == 0) return Failure{};  // EOF
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      if (std::optional<Failure> waited = WaitFor(POLLIN, deadline)) return waited;
      continue;
    }
    return Failure{.why = "Failure when receiving data from the peer"};
  }
}

std::optional<SocketHttpClient::Failure> SocketHttpClient::Exchange(
    const PlainUrl& url, SteadyClock::time_point deadline, HttpResponse& response, Next& next) {
  buffer_.clear();
  std::string request;
  request.reserve(url.target.size() + url.host_header.size() + 80);
  request += "GET ";
  request += url.target;
  request += " HTTP/1.1\r\nHost: ";
  request += url.host_header;
  request += "\r\nUser-Agent: silverwork/0.1\r\nAccept: */*\r\n\r\n";
  if (std::optional<Failure> failed = SendAll(request, deadline)) return failed;

  // The head; interim 1xx answers are skipped.
  ResponseHead head;
  size_t body_start = 0;
  while (true) {
    size_t head_end = buffer_.find("\r\n\r\n");
    if (head_end == std::string::npos) {
      if (buffer_.size() > kMaxHeadBytes) return Failure{.why = "Response headers too large"};
      if (std::optional<Failure> failed = ReceiveSome(deadline)) {
        failed->nothing_received = buffer_.empty();
        return failed;
      }
      continue;
    }
    std::optional<ResponseHead> parsed =
        ParseResponseHead(std::string_view(buffer_).substr(0, head_end));
    if (!parsed) return Failure{.why = "Unsupported protocol or malformed response"};
    if (parsed->status >= 100 && parsed->status < 200) {
      buffer_.erase(0, head_end + 4);
      continue;
    }
    head = std::move(*parsed);
    body_start = head_end + 4;
    break;
  }

  std::string& body = response.body;
  if (HasNoBody(head.status)) {
    buffer_.erase(0, body_start);
  } else if (head.chunked) {
    if (std::optional<Failure> failed = ReadChunkedBody(body_start, deadline, body)) {
      if (failed->why.empty()) failed->why = "Transferred a partial file";
      return failed;
    }
  } else if (head.content_length) {
    const size_t end = body_start + *head.content_length;
    buffer_.reserve(end);
    while (buffer_.size() < end) {
      if (std::optional<Failure> failed = ReceiveSome(deadline)) {
        if (failed->why.empty()) failed->why = "Transferred a partial file";
        return failed;
      }
    }
    body.assign(buffer_, body_start, *head.content_length);
    buffer_.erase(0, end);
  } else {
    // Delimited by the end of the connection.
    head.close = true;
    while (true) {
      std::optional<Failure> failed = ReceiveSome(deadline);
      if (!failed) continue;
      if (!failed->why.empty()) return failed;
      break;
    }
    body.assign(buffer_, body_start);
    buffer_.clear();
  }
  // Bytes beyond the answer (nothing was pipelined) mean the connection is
  // out of step: start the next call on a fresh one.
  if (head.close || !buffer_.empty()) Disconnect();
  response.status = head.status;
  response.content_type = std::move(head.content_type);
  response.headers = std::move(head.fields);
  if (head.encoded || (head.status >= 300 && head.status < 400 && head.has_location)) {
    next = Next::kUseFallback;  // libcurl follows redirects and undoes encodings
  }
  return std::nullopt;
}

std::optional<SocketHttpClient::Failure> SocketHttpClient::ReadChunkedBody(
    size_t start, SteadyClock::time_point deadline, std::string& body) {
  size_t position = start;
  // Makes `count` bytes from `position` available.
  auto need = [&](size_t count) -> std::optional<Failure> {
    while (buffer_.size() < position + count) {
      if (std::optional<Failure> failed = ReceiveSome(deadline)) return failed;
    }
    return std::nullopt;
  };
  // The next CRLF-terminated line from `position`.
  auto line = [&](std::string_view& out) -> std::optional<Failure> {
    while (true) {
      size_t end = buffer_.find("\r\n", position);
      if (end != std::string::npos) {
        out = std::string_view(buffer_).substr(position, end - position);
        position = end + 2;
        return std::nullopt;
      }
      if (buffer_.size() - position > kMaxHeadBytes)
        return Failure{.why = "Malformed chunked encoding"};
      if (std::optional<Failure> failed = ReceiveSome(deadline)) return failed;
    }
  };
  while (true) {
    std::string_view size_line;
    if (std::optional<Failure> failed = line(size_line)) return failed;
    size_line = size_line.substr(0, size_line.find(';'));
    size_line = Trim(size_line);
    if (size_line.empty() || size_line.size() > 15)
      return Failure{.why = "Malformed chunked encoding"};
    size_t size = 0;
    for (char ch : size_line) {
      int digit =
          std::isxdigit(static_cast<unsigned char>(ch))
              ? (std::isdigit(static_cast<unsigned char>(ch)) ? ch - '0'
                                                              : (std::tolower(ch) - 'a' + 10))
              : -1;
      if (digit < 0) return Failure{.why = "Malformed chunked encoding"};
      size = size * 16 + static_cast<size_t>(digit);
    }
    if (size == 0) break;
    if (std::optional<Failure> failed = need(size + 2)) return failed;
    body.append(buffer_, position, size);
    position += size;
    if (buffer_.compare(position, 2, "\r\n") != 0)
      return Failure{.why = "Malformed chunked encoding"};
    position += 2;
  }
  // Trailers, up to the empty line.
  while (true) {
    std::string_view trailer;
    if (std::optional<Failure> failed = line(trailer)) return failed;
    if (trailer.empty()) break;
  }
  buffer_.erase(0, position);
  return std::nullopt;
}

void SocketHttpClient::Disconnect() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  connected_host_.clear();
  connected_port_.clear();
  buffer_.clear();
}

}  // namespace

std::unique_ptr<HttpClient> CreateHttpClient() {
  // libcurl honours proxy settings from the environment; the direct path
  // does not, so a configured proxy sends every call through libcurl.
  for (const char* name : {"http_proxy", "all_proxy", "ALL_PROXY"}) {
    const char* proxy = std::getenv(name);
    if (proxy != nullptr && *proxy != '\0') return CreateLibcurlHttpClient();
  }
  return std::make_unique<SocketHttpClient>(CreateLibcurlHttpClient());
}

}  // namespace silverwork
