// Server: `silverwork serve` — the dashboard and its versioned JSON API over
// the warehouse, read-only.
//
//   GET /                      the dashboard (web/dist), if built
//   GET /api/v1                the list of endpoints
//   GET /api/v1/filters        the values each dashboard filter takes
//   GET /api/v1/<chart>        chart data (charts.h lists them), filtered
//   GET /api/v1/postings       the postings table, a page at a time
//   GET /api/v1/postings.csv   the filtered postings as CSV
//   /api/v1/pipelines, /api/v1/runs, ...  the scheduler's pipelines, runs,
//                              logs and write requests (pipelines_api.h)
//   GET /healthz               200 when a snapshot is loaded
//   GET /metrics               Prometheus text format
//
// Charts are computed from an in-memory snapshot of the warehouse
// (snapshot.h), reloaded in the background when a build finishes (the
// warehouse's build generation; other writes, such as the scheduler's state,
// a collection or a build still running, load nothing), and from the status
// part every run changes (ServingStatus), reloaded with it and on its own
// when the owner says a task ended (LookNow: `silverwork standalone`);
// the table reads row text through a pool of read-only connections. Every
// request is bounded: query length (8 KiB), body (4 KiB), parameter values,
// read and write timeouts. Failures answer with the status their category
// maps to (responses.h) and a request id the log line carries too.
//
// Thread-safety: Create/Start/Stop from one controlling thread; requests are
// served by the server's own pool; Reload, ReloadStatus, CheckWarehouse,
// LookNow, snapshot and status are thread-safe.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "common/clock.h"
#include "common/status.h"
#include "serve/snapshot.h"
#include "warehouse/warehouse.h"

namespace silverwork::serve {

// What one look at the warehouse's build generation found
// (Server::CheckWarehouse; Warehouse::BuildGeneration).
enum class WarehouseCheck {
  kUnchanged,     // no build finished since the serving snapshot was loaded
  kReloaded,      // one did: a new snapshot serves
  kReloadFailed,  // ... but loading it failed: the previous snapshot keeps serving
  kUnreadable,    // the generation could not be read: the snapshot keeps serving
};

struct ServeOptions {
  WarehouseOptions warehouse;  // read_only is forced on
  std::string host = "127.0.0.1";
  int port = 8080;                               // 0: any free port (see Server::port())
  std::optional<std::filesystem::path> web_dir;  // none: API only
  // Worker threads. cpp-httplib holds a thread per open connection, so this
  // bounds concurrent keep-alive connections, not CPU use.
  int threads = 32;
  // A warehouse without marts yet serves an empty snapshot until a reload
  // finds them (`silverwork standalone` on a fresh warehouse), instead of
  // failing Create.
  bool start_empty = false;
  // How often to look for a finished build; zero: only when LookNow asks.
  std::chrono::milliseconds reload_interval{std::chrono::seconds(5)};
  // A connection is closed when a request's next byte takes longer than
  // read_timeout to arrive, when the client takes longer than write_timeout
  // to accept more of a response, or when a kept-alive connection brings no
  // new request for keep_alive_timeout (whole seconds: cpp-httplib's unit).
  std::chrono::milliseconds read_timeout{std::chrono::seconds(5)};
  std::chrono::milliseconds write_timeout{std::chrono::seconds(30)};
  std::chrono::seconds keep_alive_timeout{5};
  size_t keep_alive_max_requests = 100'000;
  size_t max_body_bytes = 4096;
  // Rows one CSV export holds at most (X-Silverwork-Truncated says it was cut).
  size_t max_csv_rows = 200'000;
  // Chart responses kept per snapshot (response_cache.h); 0: none.
  size_t cache_entries = 4096;
  // Snapshot timestamps, request latencies, request ids. Null: DefaultClock().
  // Must outlive the server.
  Clock* clock = nullptr;
  // Opens the warehouse for snapshots and the table's connections. Null:
  // OpenWarehouse. Tests inject failures here.
  WarehouseFactory open_warehouse;
  // pipelines.yml, described by the pipelines API; none: that API answers
  // 503 saying how to point the server at one.
  std::optional<std::filesystem::path> pipelines_file;
  // The operator token the API's writes need (a secret); empty: writes are
  // refused with 403.
  std::string api_token;
  // Called on the reloader's thread after each of its looks at the warehouse
  // (every reload_interval, and each LookNow's).
  std::function<void(WarehouseCheck)> on_warehouse_check;
};

class Server {
 public:
  // Loads the first snapshot and the dashboard's files; fails when either
  // cannot be loaded (the message says what to build), but for a snapshot
  // with `start_empty`.
  static Result<std::unique_ptr<Server>> Create(ServeOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and starts serving in the background. REQUIRES: not started.
  Status Start();
  // Stops the reloader, answers new requests 503 while the requests in
  // flight finish (a CSV export streams to its end), then stops listening.
  void Stop();
  // The bound port (after Start).
  int port() const { return port_; }

  // Loads a new snapshot now and swaps it in when it loads; the status part
  // with it.
  Status Reload();
  // Loads the status part now (ServingStatus: the raw tables' rows and
  // newest _loaded_at, the newest posting, the run ledger; no model) and
  // swaps it in alone: the marts keep serving as they were. Requests in
  // flight keep the status they started with.
  Status ReloadStatus();
  // Something may have changed the warehouse (a task of the owner's
  // scheduler ended): the reloader looks now, on its thread, instead of at
  // its next interval — it reloads the status part, then the marts when a
  // build finished since they were loaded (CheckWarehouse). A collection's
  // rows show at once; a build still running is not loaded half-way.
  // Returns at once; asked while a look runs, it makes one more look after it.
  void LookNow();
  // One look of the reloader (every reload_interval): reloads when a build
  // finished since the serving snapshot was loaded (the build generation
  // changed). A failed load is retried only after the next build.
  WarehouseCheck CheckWarehouse();
  std::shared_ptr<const ServingSnapshot> snapshot() const;
  std::shared_ptr<const ServingStatus> status() const;

 private:
  class Impl;
  explicit Server(std::unique_ptr<Impl> impl);

  std::unique_ptr<Impl> impl_;
  int port_ = 0;
};

}  // namespace silverwork::serve
