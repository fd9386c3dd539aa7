#include "simulator/http_server.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cstring>

#include "common/log.h"
#include "http/header_text.h"
#include "http/http_client.h"

namespace silverwork::simulator {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view kHeaderEnd = "\r\n\r\n";

struct StatusLine {
  int status;
  std::string_view reason;
};
constexpr StatusLine kStatusLines[] = {
    {200, "OK"},
    {301, "Moved Permanently"},
    {302, "Found"},
    {303, "See Other"},
    {307, "Temporary Redirect"},
    {308, "Permanent Redirect"},
    {400, "Bad Request"},
    {401, "Unauthorized"},
    {403, "Forbidden"},
    {404, "Not Found"},
    {405, "Method Not Allowed"},
    {429, "Too Many Requests"},
    {431, "Request Header Fields Too Large"},
    {500, "Internal Server Error"},
    {502, "Bad Gateway"},
    {503, "Service Unavailable"},
    {504, "Gateway Timeout"},
};

std::string_view ReasonPhrase(int status) {
  for (const StatusLine& line : kStatusLines) {
    if (line.status == status) return line.reason;
  }
  return "Unknown";
}

using http_text::EqualsIgnoreCase;

// The request line and the headers the server itself acts on.
struct RequestHead {
  std::string_view method;
  std::string_view target;
  bool keep_alive = true;
  size_t content_length = 0;
};

bool IsToken(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char ch) {
    return std::isupper(static_cast<unsigned char>(ch)) != 0;
  });
}

std::optional<RequestHead> ParseRequestHead(std::string_view head) {
  size_t line_end = head.find("\r\n");
  std::string_view request_line = head.substr(0, line_end);
  size_t first_space = request_line.find(' ');
  size_t last_space = request_line.rfind(' ');
  if (first_space == std::string_view::npos || first_space == last_space) return std::nullopt;

  RequestHead parsed;
  parsed.method = request_line.substr(0, first_space);
  parsed.target = request_line.substr(first_space + 1, last_space - first_space - 1);
  std::string_view version = request_line.substr(last_space + 1);
  if (!IsToken(parsed.method) || parsed.target.empty() ||
      parsed.target.find(' ') != std::string_view::npos) {
    return std::nullopt;
  }
  if (version == "HTTP/1.0") {
    parsed.keep_alive = false;
  } else if (version != "HTTP/1.1") {
    return std::nullopt;
  }

  std::string_view rest = line_end == std::string_view::npos ? "" : head.substr(line_end + 2);
  // Strict as a server: a line without a colon rejects the request.
  bool taken = http_text::ForEachHeaderField(
      rest, false, [&](std::string_view name, std::string_view value) {
        if (EqualsIgnoreCase(name, "Connection")) {
          if (EqualsIgnoreCase(value, "close")) parsed.keep_alive = false;
          if (EqualsIgnoreCase(value, "keep-alive")) parsed.keep_alive = true;
        } else if (EqualsIgnoreCase(name, "Content-Length")) {
          std::optional<size_t> length = http_text::ParseContentLength(value);
          if (!length) return false;
          parsed.content_length = *length;
        }
        return true;
      });
  if (!taken) return std::nullopt;
  return parsed;
}

// Splits "a=1&b=x%2By" into decoded pairs.
std::vector<std::pair<std::string, std::string>> ParseQuery(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> params;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? "" : query.substr(amp + 1);
    if (pair.empty()) continue;
    size_t equals = pair.find('=');
    std::string_view name = pair.substr(0, equals);
    std::string_view value = equals == std::string_view::npos ? "" : pair.substr(equals + 1);
    params.emplace_back(PercentDecode(name, true), PercentDecode(value, true));
  }
  return params;
}

HttpRequest MakeRequest(const RequestHead& head) {
  std::string_view target = head.target;
  // Absolute-form targets ("http://host/path") come from proxies; keep the path.
  if (size_t scheme = target.find("://"); scheme != std::string_view::npos && target[0] != '/') {
    size_t path_start = target.find('/', scheme + 3);
    target = path_start == std::string_view::npos ? "/" : target.substr(path_start);
  }
  HttpRequest request;
  request.method = std::string(head.method);
  size_t question = target.find('?');
  request.path = PercentDecode(target.substr(0, question));
  if (question != std::string_view::npos) {
    request.raw_query = std::string(target.substr(question + 1));
    request.params = ParseQuery(request.raw_query);
  }
  return request;
}

HttpReply PlainReply(int status, std::string body) {
  HttpReply reply;
  reply.status = status;
  reply.content_type = "text/plain; charset=utf-8";
  reply.body = std::move(body);
  return reply;
}

Result<int> BindListener(const HttpServerOptions& options, int& bound_port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* found = nullptr;
  std::string port_text = std::to_string(options.port);
  const char* host = options.host.empty() ? nullptr : options.host.c_str();
  if (int rc = ::getaddrinfo(host, port_text.c_str(), &hints, &found); rc != 0) {
    return Status(ErrorCode::kInvalidInput,
                  fmt::format("cannot resolve host '{}': {}", options.host, ::gai_strerror(rc)),
                  "use an IP address such as 127.0.0.1 or 0.0.0.0");
  }
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> addresses(found, &::freeaddrinfo);
  int last_errno = 0;
  for (addrinfo* address = found; address != nullptr; address = address->ai_next) {
    int fd = ::socket(address->ai_family, address->ai_socktype | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      last_errno = errno;
      continue;
    }
    int on = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    if (::bind(fd, address->ai_addr, address->ai_addrlen) == 0 && ::listen(fd, 1024) == 0) {
      sockaddr_storage local{};
      socklen_t length = sizeof local;
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &length);
      bound_port = local.ss_family == AF_INET6
                       ? ntohs(reinterpret_cast<sockaddr_in6*>(&local)->sin6_port)
                       : ntohs(reinterpret_cast<sockaddr_in*>(&local)->sin_port);
      return fd;
    }
    last_errno = errno;
    ::close(fd);
  }
  return Status(ErrorCode::kIO,
                fmt::format("cannot listen on {}:{}: {}", options.host, options.port,
                            std::strerror(last_errno)),
                "pick another port (--port), or stop the process using this one");
}

}  // namespace

const std::string* HttpRequest::Param(std::string_view name) const {
  for (const auto& [key, value] : params) {
    if (key == name) return &value;
  }
  return nullptr;
}

std::optional<std::string_view> HttpRequest::RawParam(std::string_view name) const {
  std::string_view query = raw_query;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? "" : query.substr(amp + 1);
    size_t equals = pair.find('=');
    if (PercentDecode(pair.substr(0, equals), true) != name) continue;
    return equals == std::string_view::npos ? std::string_view() : pair.substr(equals + 1);
  }
  return std::nullopt;
}

Result<std::unique_ptr<HttpServer>> HttpServer::Start(const HttpServerOptions& options,
                                                      Handler handler) {
  std::unique_ptr<TlsServerContext> tls;
  if (options.tls_certificate_file.empty() != options.tls_key_file.empty()) {
    return Status(ErrorCode::kInvalidInput, "https needs both a certificate and its key",
                  "pass --tls-cert and --tls-key together");
  }
  if (!options.tls_certificate_file.empty()) {
    SW_ASSIGN_OR_RETURN(tls,
                        TlsServerContext::Load(options.tls_certificate_file, options.tls_key_file));
  }
  int port = 0;
  SW_ASSIGN_OR_RETURN(int listen_fd, BindListener(options, port));
  return std::unique_ptr<HttpServer>(
      new HttpServer(options, std::move(handler), std::move(tls), listen_fd, port));
}

HttpServer::HttpServer(HttpServerOptions options, Handler handler,
                       std::unique_ptr<TlsServerContext> tls, int listen_fd, int port)
    : options_(std::move(options)),
      handler_(std::move(handler)),
      tls_(std::move(tls)),
      listen_fd_(listen_fd),
      port_(port) {
  accept_thread_ = std::thread([this] { AcceptLoop(); });
}

HttpServer::~HttpServer() { Stop(); }

void HttpServer::Stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
    // Wakes accept(), recv() and send() in every thread; the owners close.
    ::shutdown(listen_fd_, SHUT_RDWR);
    for (int fd : active_) ::shutdown(fd, SHUT_RDWR);
    for (int fd : queued_) ::close(fd);
    queued_.clear();
  }
  wakeup_.notify_all();
  connection_queued_.notify_all();
  accept_thread_.join();
  std::vector<std::thread> workers;
  {
    std::lock_guard lock(mutex_);
    workers.swap(workers_);
  }
  for (std::thread& worker : workers) worker.join();
  ::close(listen_fd_);
}

void HttpServer::AcceptLoop() {
  while (true) {
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    std::unique_lock lock(mutex_);
    if (stopping_) {
      if (fd >= 0) ::close(fd);
      return;
    }
    if (fd < 0) {
      if (errno == EMFILE || errno == ENFILE) {
        // Out of descriptors: give workers a moment to close some.
        wakeup_.wait_for(lock, 10ms, [this] { return stopping_; });
      }
      continue;
    }
    queued_.push_back(fd);
    ++connections_accepted_;
    // An idle worker may not have woken for an earlier connection yet, so
    // compare against the whole queue: counting only `idle_workers_ == 0`
    // left a second connection waiting for a keep-alive one to time out.
    bool spawn = queued_.size() > static_cast<size_t>(idle_workers_) &&
                 std::cmp_less(workers_.size(), options_.worker_threads);
    if (spawn) workers_.emplace_back([this] { WorkerLoop(); });
    lock.unlock();
    connection_queued_.notify_one();
  }
}

int HttpServer::NextConnection() {
  std::unique_lock lock(mutex_);
  ++idle_workers_;
  connection_queued_.wait(lock, [this] { return stopping_ || !queued_.empty(); });
  --idle_workers_;
  if (stopping_) return -1;
  int fd = queued_.front();
  queued_.pop_front();
  active_.insert(fd);
  return fd;
}

void HttpServer::FinishConnection(int fd) {
  std::lock_guard lock(mutex_);
  active_.erase(fd);
  ::close(fd);  // under the lock, so Stop() never shuts down a reused number
}

void HttpServer::WorkerLoop() {
  while (true) {
    int fd = NextConnection();
    if (fd < 0) return;
    int on = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    auto idle_ms = options_.idle_timeout.count();
    timeval idle{.tv_sec = idle_ms / 1000, .tv_usec = (idle_ms % 1000) * 1000};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &idle, sizeof idle);
    {
      ServerConnection connection(fd, tls_.get());
      ServeConnection(connection);
    }
    FinishConnection(fd);
  }
}

bool HttpServer::WaitOutDelay(std::chrono::milliseconds delay) {
  if (options_.delay_clock == nullptr) return WaitUnlessStopped(delay);
  if (delay > 0ms) options_.delay_clock->SleepFor(delay);
  std::lock_guard lock(mutex_);
  return !stopping_;
}

bool HttpServer::WaitUnlessStopped(std::chrono::milliseconds duration) {
  if (duration <= 0ms) return true;
  std::unique_lock lock(mutex_);
  return !wakeup_.wait_for(lock, duration, [this] { return stopping_; });
}

void HttpServer::ServeConnection(ServerConnection& connection) {
  if (!connection.Open()) return;
  std::string buffer;
  std::array<char, size_t{16} * 1024> chunk{};
  // Appends what arrives to `buffer`; false once the connection is done
  // (closed, idle timeout, Stop()).
  auto receive = [&] {
    size_t received = connection.Receive(chunk.data(), chunk.size());
    buffer.append(chunk.data(), received);
    return received > 0;
  };
  size_t scanned = 0;  // bytes of `buffer` known not to hold the header end
  while (true) {
    size_t head_end = buffer.find(kHeaderEnd, scanned);
    if (head_end == std::string::npos) {
      if (buffer.size() > options_.max_header_bytes) {
        SendReply(connection, PlainReply(431, "request headers too large\n"), false);
        return;
      }
      scanned = buffer.size() >= kHeaderEnd.size() ? buffer.size() - kHeaderEnd.size() + 1 : 0;
      if (!receive()) return;
      continue;
    }

    std::optional<RequestHead> head =
        ParseRequestHead(std::string_view(buffer).substr(0, head_end));
    if (!head) {
      SendReply(connection, PlainReply(400, "malformed request\n"), false);
      return;
    }
    if (head->method != "GET") {
      SendReply(connection, PlainReply(405, "only GET is supported\n"), false);
      return;
    }
    // A GET body is meaningless; skip it so the next request parses.
    size_t consumed = head_end + kHeaderEnd.size() + head->content_length;
    while (buffer.size() < consumed) {
      if (!receive()) return;
    }
    bool keep_alive = head->keep_alive;
    HttpReply reply = handler_(MakeRequest(*head));
    buffer.erase(0, consumed);
    scanned = 0;
    if (!WaitOutDelay(reply.delay)) return;
    if (!SendReply(connection, reply, keep_alive) || !keep_alive) return;
  }
}

bool HttpServer::SendReply(ServerConnection& connection, const HttpReply& reply, bool keep_alive) {
  switch (reply.fault) {
    case ConnectionFault::kReset:
      connection.ResetOnClose();
      return false;
    case ConnectionFault::kHang:
      WaitUnlessStopped(reply.hang);
      return false;
    case ConnectionFault::kNone:
    case ConnectionFault::kTruncate:
      break;
  }
  bool truncate = reply.fault == ConnectionFault::kTruncate;
  // A truncated reply promises the whole body (at least one byte) but sends half.
  size_t promised = truncate ? std::max<size_t>(reply.body.size(), 1) : reply.body.size();
  size_t sent = truncate ? reply.body.size() / 2 : reply.body.size();
  std::string head = fmt::format(
      "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: {}\r\n"
      "Server: silverwork-simulator\r\n",
      reply.status, ReasonPhrase(reply.status), reply.content_type, promised,
      keep_alive && !truncate ? "keep-alive" : "close");
  for (const auto& [name, value] : reply.headers) head += fmt::format("{}: {}\r\n", name, value);
  head += "\r\n";
  return connection.Send(head, std::string_view(reply.body).substr(0, sent)) && !truncate;
}

}  // namespace silverwork::simulator
