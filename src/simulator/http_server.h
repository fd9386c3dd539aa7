// HttpServer: a small blocking HTTP/1.1 server for the simulator.
//
// Not a general-purpose server: it answers GET only, and exists (instead of
// cpp-httplib) because the simulator must control the socket to inject
// transport faults: resetting a connection, promising more bytes than it
// sends, or never answering. It speaks plain http, or https when given a
// certificate and key (OpenSSL; every fault works the same over TLS). One
// accept thread hands connections to at most `worker_threads` worker threads
// (a connection keeps its worker while it is kept alive; further connections
// wait in a queue). Each request is passed to the handler, which returns an
// HttpReply saying what to send, or which fault to perform instead.
//
// Time: a reply's delay passes on `delay_clock` when one is given (a
// FakeClock in tests: the delay advances it and costs no real time), else in
// real time; a hang always lasts in real time. Both are cut short by Stop().
//
// Thread-safety: the handler is called concurrently from worker threads.
// Stop() may be called from any thread (but not from the handler); it is
// idempotent and the destructor calls it.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "simulator/server_connection.h"

namespace silverwork::simulator {

struct HttpRequest {
  std::string method;
  std::string path;       // percent-decoded, without the query
  std::string raw_query;  // after '?', exactly as sent
  // Query parameters in order, names and values percent-decoded ('+' is a space).
  std::vector<std::pair<std::string, std::string>> params;

  // The decoded value of the first parameter called `name`, or null.
  const std::string* Param(std::string_view name) const;
  // The value of `name` exactly as written in the query string (not decoded),
  // for checks that must see the client's encoding, such as the service key.
  std::optional<std::string_view> RawParam(std::string_view name) const;
};

// What to do with a request's connection instead of (or while) answering.
enum class ConnectionFault {
  kNone,
  kReset,     // close with SO_LINGER {1,0} before writing: the client sees RST
  kTruncate,  // send the headers and half the body, then close
  kHang,      // say nothing for `hang` (cut short by Stop), then close
};

struct HttpReply {
  int status = 200;
  std::string content_type;
  std::string body;
  // Further header fields ("Location", ...), sent as given.
  std::vector<std::pair<std::string, std::string>> headers;
  // Waited before anything else happens (see "Time" above).
  std::chrono::milliseconds delay{0};
  ConnectionFault fault = ConnectionFault::kNone;
  std::chrono::milliseconds hang{0};
};

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  int port = 0;  // 0: any free port
  int worker_threads = 64;
  std::chrono::milliseconds idle_timeout{30'000};
  size_t max_header_bytes = size_t{64} * 1024;
  // https when both are set: PEM files of the certificate (chain) and its key.
  std::string tls_certificate_file, tls_key_file;
  // Where replies' delays pass; null: real time. Not owned; must outlive the
  // server.
  Clock* delay_clock = nullptr;
};

class HttpServer {
 public:
  using Handler = std::function<HttpReply(const HttpRequest&)>;

  // Binds and starts serving; returns once the port is bound.
  static Result<std::unique_ptr<HttpServer>> Start(const HttpServerOptions& options,
                                                   Handler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  int port() const { return port_; }
  bool https() const { return tls_ != nullptr; }
  // Connections accepted so far (tests check keep-alive with it).
  int64_t connections_accepted() const { return connections_accepted_.load(); }
  // Stops accepting, cuts every connection (and any delay or hang in
  // progress), joins all threads. Idempotent.
  void Stop();

 private:
  HttpServer(HttpServerOptions options, Handler handler,
             std::unique_ptr<TlsServerContext> tls, int listen_fd, int port);

  void AcceptLoop();
  void WorkerLoop();
  void ServeConnection(ServerConnection& connection);
  // Performs one reply; false when the connection must be closed.
  bool SendReply(ServerConnection& connection, const HttpReply& reply, bool keep_alive);
  // Waits out a reply's delay (see "Time"); false when Stop() cut it short.
  bool WaitOutDelay(std::chrono::milliseconds delay);
  // Sleeps up to `duration` of real time; false when Stop() cut it short.
  bool WaitUnlessStopped(std::chrono::milliseconds duration);
  // Takes the next queued connection and registers it as active; -1 on stop.
  int NextConnection();
  void FinishConnection(int fd);

  const HttpServerOptions options_;
  const Handler handler_;
  const std::unique_ptr<TlsServerContext> tls_;  // null: plain http
  const int listen_fd_;
  const int port_;

  std::mutex mutex_;
  std::condition_variable wakeup_;  // Stop(), for threads that sleep (delays, hangs)
  // A connection was queued (and Stop()). Apart from wakeup_ so that a
  // notify_one for a new connection always reaches an idle worker, never a
  // worker sleeping through a reply's delay.
  std::condition_variable connection_queued_;
  bool stopping_ = false;
  std::deque<int> queued_;  // accepted, waiting for a worker
  std::set<int> active_;    // owned by a worker; shut down by Stop()
  int idle_workers_ = 0;
  std::atomic<int64_t> connections_accepted_{0};
  std::vector<std::thread> workers_;
  std::thread accept_thread_;
};

}  // namespace silverwork::simulator
