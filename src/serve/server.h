// Server: `silverwork serve` — the dashboard and its versioned JSON API over
// the warehouse, read-only.
//
//   GET /                      the dashboard (web/dist), if built
//   GET /api/v1                the list of endpoints
//   GET /api/v1/filters        the values each dashboard filter takes
//   GET /api/v1/<chart>        chart data (charts.h lists them), filtered
//   GET /api/v1/postings       the postings table, a page at a time
//   GET /api/v1/postings.csv   the filtered postings as CSV
//   GET /healthz               200 when a snapshot is loaded
//   GET /metrics               Prometheus text format
//
// Charts are computed from an in-memory snapshot of the warehouse
// (snapshot.h), reloaded in the background when the warehouse file changes;
// the table reads row text through a pool of read-only connections. Every
// request is bounded: query length (8 KiB), body (4 KiB), parameter values,
// read and write timeouts.
//
// Thread-safety: Start/Stop/Wait from one controlling thread; requests are
// served by the server's own pool.
#pragma once

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "common/status.h"
#include "serve/snapshot.h"
#include "warehouse/warehouse.h"

namespace silverwork::serve {

struct ServeOptions {
  WarehouseOptions warehouse;  // read_only is forced on
  std::string host = "127.0.0.1";
  int port = 8080;                               // 0: any free port (see Server::port())
  std::optional<std::filesystem::path> web_dir;  // none: API only
  // Worker threads. cpp-httplib holds a thread per open connection, so this
  // bounds concurrent keep-alive connections, not CPU use.
  int threads = 32;
  // How often to look for a changed warehouse file; zero: never reload.
  std::chrono::milliseconds reload_interval{std::chrono::seconds(5)};
  std::chrono::seconds read_timeout{5};
  std::chrono::seconds write_timeout{30};
  std::chrono::seconds keep_alive_timeout{5};
  size_t keep_alive_max_requests = 100'000;
  size_t max_body_bytes = 4096;
  // Chart responses kept per snapshot (response_cache.h); 0: none.
  size_t cache_entries = 4096;
};

class Server {
 public:
  // Loads the first snapshot and the dashboard's files; fails when either
  // cannot be loaded (the message says what to build).
  static Result<std::unique_ptr<Server>> Create(ServeOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and starts serving in the background. REQUIRES: not started.
  Status Start();
  // Stops accepting, finishes in-flight requests, stops the reloader.
  void Stop();
  // The bound port (after Start).
  int port() const { return port_; }

  // Loads a new snapshot now and swaps it in when it loads.
  Status Reload();
  std::shared_ptr<const ServingSnapshot> snapshot() const;

 private:
  class Impl;
  explicit Server(std::unique_ptr<Impl> impl);

  std::unique_ptr<Impl> impl_;
  int port_ = 0;
};

}  // namespace silverwork::serve
