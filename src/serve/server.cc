#include "serve/server.h"

#include <fmt/format.h>
#include <httplib.h>

#include <condition_variable>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>
#include <utility>

#include "common/allocator.h"
#include "common/date.h"
#include "common/log.h"
#include "serve/catalog_api.h"
#include "serve/charts.h"
#include "serve/connection_limits.h"
#include "serve/csv_export.h"
#include "serve/metrics.h"
#include "serve/pipelines_api.h"
#include "serve/postings_table.h"
#include "serve/response_cache.h"
#include "serve/responses.h"
#include "serve/scheduler_metrics.h"
#include "serve/static_assets.h"
#include "serve/stream_drain.h"
#include "serve/warehouse_pool.h"

namespace silverwork::serve {
namespace {

using nlohmann::json;
using Handler = std::function<void(const httplib::Request&, httplib::Response&)>;

constexpr std::string_view kApiPrefix = "/api/v1";

// The dashboard loads nothing from elsewhere; ECharts styles elements inline.
constexpr const char* kContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; frame-ancestors 'none'; "
    "base-uri 'none'";

// What the HTTP layer's own refusals (made before any route runs) say.
struct Refusal {
  int status;
  std::string_view code, message, hint;
};
constexpr Refusal kRefusals[] = {
    {400, "bad_request", "the request is not valid HTTP", "send a well-formed GET request"},
    {413, "too_large", "the request body is too large", "send a body of at most 4 KiB"},
    {414, "uri_too_long", "the request URI is too long", "select fewer filter values"},
};
constexpr Refusal kOtherRefusal = {0, "http_error", "the request was refused", "see GET /api/v1"};

const Refusal& RefusalFor(int status) {
  for (const Refusal& refusal : kRefusals) {
    if (refusal.status == status) return refusal;
  }
  return kOtherRefusal;
}

// "gzip, deflate, br" -> "gzip, deflate".
std::string WithoutBrotli(std::string_view accepted) {
  std::string kept;
  while (!accepted.empty()) {
    const size_t comma = accepted.find(',');
    std::string_view token = accepted.substr(0, comma);
    accepted = comma == std::string_view::npos ? std::string_view() : accepted.substr(comma + 1);
    while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
    if (token.starts_with("br") && (token.size() == 2 || token[2] == ';' || token[2] == ' '))
      continue;
    if (!kept.empty()) kept += ", ";
    kept += token;
  }
  return kept;
}

void SendMethodNotAllowed(httplib::Response& res) {
  res.set_header("Allow", "GET, HEAD");
  SendError(res, 405, "method_not_allowed", "this path answers only GET", "use GET");
}

// The answer to a request that arrives while the server stops.
void SendStopping(httplib::Response& res) {
  res.set_header("Connection", "close");
  SendError(res, 503, "unavailable", "the server is stopping", "ask again once it has restarted");
}

std::string DescribeException(const std::exception_ptr& thrown) {
  try {
    if (thrown) std::rethrow_exception(thrown);
  } catch (const std::exception& error) {
    return error.what();
  } catch (...) {
  }
  return "unknown exception";
}

// A failure of the warehouse behind the table, as a request sees it.
Status ReadingPostingsFailed(const Status& failure) {
  Status server_side =
      AsServerFailure(failure.WithContext("cannot read the postings from the warehouse"));
  if (!server_side.hint().empty()) return server_side;
  return Status(server_side.code(), server_side.message(),
                "retry in a few seconds (a build may be replacing the warehouse); if it goes "
                "on, check that `silverwork build` finished");
}

// A pattern matching exactly `path` (its dots escaped).
std::string ExactPattern(std::string_view path) {
  std::string pattern;
  for (char c : path) {
    if (c == '.') pattern += '\\';
    pattern += c;
  }
  return pattern;
}

PipelinesApiOptions PipelinesOptionsOf(const ServeOptions& options) {
  return {.warehouse = options.warehouse,
          .open_warehouse = options.open_warehouse,
          .pipelines_file = options.pipelines_file,
          .api_token = options.api_token,
          .clock = options.clock};
}

ServeOptions Normalized(ServeOptions options) {
  options.warehouse.read_only = true;
  if (options.clock == nullptr) options.clock = &DefaultClock();
  if (!options.open_warehouse) options.open_warehouse = OpenWarehouse;
  return options;
}

}  // namespace

class Server::Impl {
 public:
  explicit Impl(ServeOptions options)
      : options_(Normalized(std::move(options))),
        clock_(*options_.clock),
        request_ids_(clock_),
        pool_(options_.warehouse, options_.open_warehouse),
        pipelines_api_(PipelinesOptionsOf(options_), pool_),
        cache_(options_.cache_entries) {}

  ~Impl() { Stop(); }

  Status Initialize() {
    if (options_.web_dir) {
      SW_ASSIGN_OR_RETURN(auto assets, StaticAssets::Load(*options_.web_dir));
      assets_.emplace(std::move(assets));
    }
    if (Status loaded = Reload(); !loaded.ok()) {
      if (!options_.start_empty) return loaded;
      spdlog::info("serve: nothing to show yet ({}); the dashboard fills in once it is built",
                   loaded.message());
      // loaded_build_ stays unset: the first look that finds a finished
      // build loads it.
      {
        std::lock_guard lock(snapshot_mutex_);
        snapshot_ = std::make_shared<const ServingSnapshot>();
      }
      // The raw tables' figures need no model: shown before the first build.
      if (Status status = ReloadStatus(); !status.ok())
        spdlog::debug("serve: no status figures yet: {}", status.ToString());
    }
    ConfigureHttp();
    return Status::Ok();
  }

  Status Start(int& port) {
    if (options_.port == 0) {
      port = http_.bind_to_any_port(options_.host);
      if (port < 0) port = 0;
    } else {
      port = http_.bind_to_port(options_.host, options_.port) ? options_.port : 0;
    }
    if (port == 0) {
      return Status(ErrorCode::kIO,
                    fmt::format("cannot listen on {}:{}", options_.host, options_.port),
                    "another process may hold the port: pass --port with a free one");
    }
    listener_ = std::thread([this] { http_.listen_after_bind(); });
    // stop() is a no-op until the listener runs; wait so Stop() always works.
    for (int waited_ms = 0; !http_.is_running() && waited_ms < 5000; ++waited_ms) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    reloader_ = std::thread([this] { WatchWarehouse(); });
    spdlog::info("serving {} on http://{}:{}/ ({} postings, dashboard: {}, API writes: {})",
                 options_.warehouse.location, options_.host, port, snapshot()->postings.size(),
                 assets_ ? assets_->dir().string() : std::string("not built"),
                 options_.api_token.empty() ? "off (no operator token)" : "on (operator token)");
    return Status::Ok();
  }

  void Stop() {
    {
      std::lock_guard lock(stop_mutex_);
      stopping_ = true;
    }
    stop_signal_.notify_all();
    if (reloader_.joinable()) reloader_.join();
    // cpp-httplib's stop() cuts a streamed response at its next chunk: new
    // requests are refused first, and the streams in flight run to their end.
    streams_.CloseAndWait();
    http_.stop();
    if (listener_.joinable()) listener_.join();
  }

  Status Reload() {
    auto warehouse = options_.open_warehouse(options_.warehouse);
    if (!warehouse.ok()) return Loaded(warehouse.status());
    // Read first: a build that finishes while the snapshot loads changes
    // the generation after this, so the next look loads again.
    Result<std::string> generation = (*warehouse)->BuildGeneration();
    if (!generation.ok()) return Loaded(generation.status());
    Result<ServingSnapshot> loaded = LoadSnapshot(**warehouse, clock_);
    if (!loaded.ok()) return Loaded(loaded.status());
    auto fresh = std::make_shared<const ServingSnapshot>(std::move(loaded).value());
    {
      std::lock_guard lock(snapshot_mutex_);
      snapshot_ = std::move(fresh);
      ++generation_;
      loaded_build_ = *generation;
    }
    pool_.Reset();
    // Loading churns through a million rows of temporaries; hand the freed
    // pages back so the resident size reflects what the snapshot holds
    // (glibc keeps them in its heap, jemalloc until its decay timers pass).
    ReleaseFreeMemory();
    // Never older than the marts it is shown beside.
    if (Status status = ReloadStatus(**warehouse); !status.ok())
      spdlog::warn("serve: the status figures were not reloaded with the marts: {}",
                   status.ToString());
    return Loaded(Status::Ok());
  }

  Status ReloadStatus() {
    SW_ASSIGN_OR_RETURN(auto warehouse, options_.open_warehouse(options_.warehouse));
    return ReloadStatus(*warehouse);
  }

  void LookNow() {
    {
      std::lock_guard lock(stop_mutex_);
      look_wanted_ = true;
    }
    stop_signal_.notify_all();
  }

  WarehouseCheck CheckWarehouse() {
    std::lock_guard check_lock(check_mutex_);
    Result<std::string> current = ReadBuildGeneration();
    if (!current.ok()) {
      if (!unreadable_) {
        spdlog::warn("serve: cannot tell whether a build finished (keeps serving what it has): {}",
                     current.status().ToString());
      }
      unreadable_ = true;
      return WarehouseCheck::kUnreadable;
    }
    if (unreadable_) spdlog::info("serve: the warehouse answers again");
    unreadable_ = false;
    if (*current == LoadedBuild()) return WarehouseCheck::kUnchanged;
    Status status = Reload();
    if (status.ok()) {
      spdlog::info("serve: a build finished; reloaded the warehouse ({} postings)",
                   snapshot()->postings.size());
      return WarehouseCheck::kReloaded;
    }
    spdlog::warn("serve: keeping the previous snapshot: {}", status.ToString());
    std::lock_guard snapshot_lock(snapshot_mutex_);
    loaded_build_ = *current;  // retried after the next build
    return WarehouseCheck::kReloadFailed;
  }

  std::shared_ptr<const ServingSnapshot> snapshot() const {
    std::lock_guard lock(snapshot_mutex_);
    return snapshot_;
  }

  std::shared_ptr<const ServingStatus> status() const {
    std::lock_guard lock(snapshot_mutex_);
    return status_;
  }

 private:
  // The snapshot and its generation (which keys the response cache).
  std::pair<std::shared_ptr<const ServingSnapshot>, uint64_t> CurrentSnapshot() const {
    std::lock_guard lock(snapshot_mutex_);
    return {snapshot_, generation_};
  }

  // Loads the status part through `warehouse` and swaps it in. Loads are
  // serialized, so a status read earlier never replaces one read later.
  Status ReloadStatus(Warehouse& warehouse) {
    std::lock_guard load_lock(status_load_mutex_);
    SW_ASSIGN_OR_RETURN(ServingStatus loaded, LoadServingStatus(warehouse, clock_));
    auto fresh = std::make_shared<const ServingStatus>(std::move(loaded));
    std::lock_guard lock(snapshot_mutex_);
    status_ = std::move(fresh);
    return Status::Ok();
  }

  std::string LoadedBuild() const {
    std::lock_guard lock(snapshot_mutex_);
    return loaded_build_;
  }

  // Counts a load in /metrics; passes its status on.
  Status Loaded(Status status) {
    metrics_.RecordReload(status.ok());
    return status;
  }

  // Through a connection of its own each look: cheap next to the interval,
  // and it follows a warehouse file replaced or a server restarted.
  Result<std::string> ReadBuildGeneration() {
    SW_ASSIGN_OR_RETURN(auto warehouse, options_.open_warehouse(options_.warehouse));
    return warehouse->BuildGeneration();
  }

  // Every reload_interval (never when it is zero) and at each LookNow: a
  // look at the build generation; a LookNow reloads the status part first.
  void WatchWarehouse() {
    const auto woken = [&] { return stopping_ || look_wanted_; };
    std::unique_lock lock(stop_mutex_);
    for (;;) {
      if (options_.reload_interval.count() > 0) {
        stop_signal_.wait_for(lock, options_.reload_interval, woken);
      } else {
        stop_signal_.wait(lock, woken);
      }
      if (stopping_) return;
      const bool asked = std::exchange(look_wanted_, false);
      lock.unlock();
      if (asked) {
        if (Status status = ReloadStatus(); !status.ok())
          spdlog::warn("serve: keeping the status figures serving: {}", status.ToString());
      }
      const WarehouseCheck check = CheckWarehouse();
      if (options_.on_warehouse_check) options_.on_warehouse_check(check);
      lock.lock();
    }
  }

  void ConfigureHttp() {
    ApplyConnectionLimits(options_, http_);
    http_.set_default_headers({{"X-Content-Type-Options", "nosniff"},
                               {"Referrer-Policy", "no-referrer"},
                               {"X-Frame-Options", "DENY"}});
    InstallHooks();
    AddApiRoutes();
    AddFallbackRoutes();
  }

  // What runs around the routes: every request gets an id first; a thrown
  // exception is a bug (500, logged with the id); refusals the HTTP layer
  // makes itself (sizes, malformed requests) get the JSON error shape.
  void InstallHooks() {
    // cpp-httplib 0.11 compresses text/* responses with brotli at its slowest
    // quality (11): a large CSV export took 50 s instead of 1.4 s. Its choice
    // follows Accept-Encoding alone, so "br" is dropped from it (gzip stays).
    // The Request is httplib's own non-const object, passed here as const.
    http_.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
      RequestIdOf(res, request_ids_);
      if (streams_.closed()) {
        SendStopping(res);
        return httplib::Server::HandlerResponse::Handled;
      }
      // cpp-httplib parses these methods but routes none of them (it would
      // answer 400); they carry no body, and the connection ends here.
      if (req.method == "TRACE" || req.method == "CONNECT") {
        res.set_header("Connection", "close");
        SendMethodNotAllowed(res);
        return httplib::Server::HandlerResponse::Handled;
      }
      auto& request = const_cast<httplib::Request&>(req);
      auto [first, last] = request.headers.equal_range("Accept-Encoding");
      for (auto header = first; header != last; ++header)
        header->second = WithoutBrotli(header->second);
      return httplib::Server::HandlerResponse::Unhandled;
    });
    http_.set_exception_handler(
        [this](const httplib::Request& req, httplib::Response& res, const std::exception_ptr& thrown) {
          RequestIdOf(res, request_ids_);
          SendFailure(
              req, res,
              Status(ErrorCode::kInternal, "unhandled exception: " + DescribeException(thrown)));
        });
    http_.set_error_handler([this](const httplib::Request&, httplib::Response& res) {
      RequestIdOf(res, request_ids_);
      if (!res.body.empty()) return;  // a route's own answer
      const Refusal& refusal = RefusalFor(res.status);
      SendError(res, res.status, refusal.code, refusal.message, refusal.hint);
    });
  }

  void AddApiRoutes() {
    Route("/healthz", [this](const httplib::Request&, httplib::Response& res) {
      auto current = snapshot();
      SendJson(res, 200,
               {{"status", "ok"},
                {"postings", current->postings.size()},
                {"loaded_at", FormatUtcTimestamp(current->loaded_at)}});
    });
    Route("/metrics", [this](const httplib::Request&, httplib::Response& res) {
      auto current = snapshot();
      res.set_content(metrics_.Render(SnapshotGauges(*current, cache_.hits(), cache_.misses()) +
                                      FreshnessGauges(status()->postings_freshness, clock_.Now()) +
                                      SchedulerGauges()),
                      "text/plain; version=0.0.4; charset=utf-8");
    });
    Route(std::string(kApiPrefix), [this](const httplib::Request&, httplib::Response& res) {
      SendJson(res, 200, {{"version", 1}, {"endpoints", EndpointList()}});
    });
    Route(fmt::format("{}/filters", kApiPrefix),
          [this](const httplib::Request& req, httplib::Response& res) {
            if (!req.params.empty()) {
              return SendBadParameter(
                  res, {req.params.begin()->first, "this endpoint takes no parameters",
                        "call /api/v1/filters without a query"});
            }
            SendJson(res, 200, FilterOptions(*snapshot()));
          });
    for (const ChartSpec& chart : ChartSpecs()) {
      Route(fmt::format("{}{}", kApiPrefix, chart.path),
            [this, &chart](const httplib::Request& req, httplib::Response& res) {
              ServeChart(chart, req, res);
            });
    }
    Route(fmt::format("{}/postings", kApiPrefix),
          [this](const httplib::Request& req, httplib::Response& res) { ServeTable(req, res); });
    Route(fmt::format("{}/postings.csv", kApiPrefix),
          [this](const httplib::Request& req, httplib::Response& res) { ServeCsv(req, res); });
    Route(fmt::format("{}/catalog", kApiPrefix),
          [this](const httplib::Request& req, httplib::Response& res) {
            ServeCatalogSearch(*snapshot()->catalog, req, res);
          });
    TimedRoute(false, fmt::format("{}/catalog/nodes/{{unique_id}}", kApiPrefix),
               fmt::format("{}/catalog/nodes/([^/]+)", kApiPrefix),
               [this](const httplib::Request& req, httplib::Response& res) {
                 ServeCatalogNode(*snapshot()->catalog, req, res);
               });
    AddPipelinesRoutes();
  }

  // The pipelines API's routes; a write path asked with GET answers 405.
  void AddPipelinesRoutes() {
    for (PipelinesApi::Route& route : pipelines_api_.Routes()) {
      if (route.post) {
        TimedRoute(true, route.name, route.pattern, std::move(route.handler));
        http_.Get(route.pattern, [](const httplib::Request&, httplib::Response& res) {
          res.set_header("Allow", "POST");
          SendError(res, 405, "method_not_allowed", "this path answers only POST",
                    "send a POST with the operator token (docs/serve.md)");
        });
      } else {
        TimedRoute(false, route.name, route.pattern, std::move(route.handler));
      }
    }
  }

  // The scheduler's figures for /metrics; a failure to read them is logged
  // and leaves them out, never the rest of the metrics.
  std::string SchedulerGauges() {
    auto lease = pool_.Acquire();
    Result<std::string> figures =
        lease.ok() ? SchedulerFigures(**lease, clock_) : Result<std::string>(lease.status());
    if (figures.ok()) return *std::move(figures);
    spdlog::warn("serve: /metrics leaves out the scheduler's figures: {}",
                 figures.status().ToString());
    return "";
  }

  // Other methods are refused; other GET paths are the dashboard's files.
  void AddFallbackRoutes() {
    const auto not_allowed = [](const httplib::Request&, httplib::Response& res) {
      SendMethodNotAllowed(res);
    };
    http_.Post(".*", not_allowed);
    http_.Put(".*", not_allowed);
    http_.Patch(".*", not_allowed);
    http_.Delete(".*", not_allowed);
    http_.Options(".*", not_allowed);

    const size_t static_route = metrics_.AddRoute("static");
    http_.Get(".*", [this, static_route](const httplib::Request& req, httplib::Response& res) {
      ServeStatic(req, res);
      metrics_.Record(static_route, res.status, 0);
    });
  }

  json EndpointList() {
    json endpoints = json::array();
    endpoints.push_back({{"path", "/api/v1/filters"}, {"summary", "values each filter takes"}});
    for (const ChartSpec& chart : ChartSpecs()) {
      endpoints.push_back(
          {{"path", fmt::format("{}{}", kApiPrefix, chart.path)}, {"summary", chart.summary}});
    }
    endpoints.push_back({{"path", "/api/v1/postings"}, {"summary", "postings table, paged"}});
    endpoints.push_back(
        {{"path", "/api/v1/postings.csv"}, {"summary", "filtered postings as CSV"}});
    endpoints.push_back({{"path", "/api/v1/catalog"},
                         {"summary", "models, sources, seeds and snapshots, searched (q, kind)"}});
    endpoints.push_back(
        {{"path", "/api/v1/catalog/nodes/{unique_id}"},
         {"summary", "a node's columns, tests, SQL and lineage (depth, direction)"}});
    for (const PipelinesApi::Route& route : pipelines_api_.Routes()) {
      endpoints.push_back({{"path", route.name},
                           {"method", route.post ? "POST" : "GET"},
                           {"summary", route.summary}});
    }
    return endpoints;
  }

  // Registers an exact GET path, timing it in the metrics.
  void Route(const std::string& path, Handler handler) {
    TimedRoute(false, path, ExactPattern(path), std::move(handler));
  }

  // Registers a GET (or POST) route, timed in the metrics under `name`.
  void TimedRoute(bool post, const std::string& name, const std::string& pattern, Handler handler) {
    const size_t route = metrics_.AddRoute(name);
    Handler timed = [this, route, handler = std::move(handler)](const httplib::Request& req,
                                                                httplib::Response& res) {
      const auto started = clock_.Monotonic();
      handler(req, res);
      metrics_.Record(route, res.status,
                      std::chrono::duration<double>(clock_.Monotonic() - started).count());
    };
    if (post) {
      http_.Post(pattern, std::move(timed));
    } else {
      http_.Get(pattern, std::move(timed));
    }
  }

  void ServeChart(const ChartSpec& chart, const httplib::Request& req, httplib::Response& res) {
    const auto [current, generation] = CurrentSnapshot();
    const auto current_status = status();
    res.status = 200;
    res.set_header("Cache-Control", "no-store");
    if (auto cached = chart.cacheable ? cache_.Find(generation, req.target) : nullptr) {
      res.set_content(*cached, kJsonType);
      return;
    }
    auto parsed = ParseQuery(req.params, chart.options, *current);
    if (const auto* bad = std::get_if<BadParameter>(&parsed)) return SendBadParameter(res, *bad);
    auto& query = std::get<ParsedQuery>(parsed);
    query.now = clock_.Now();
    auto body = std::make_shared<const std::string>(
        Dump({{"data", chart.compute(*current, *current_status, query)},
              {"filters", query.canonical},
              {"ignored_filters", IgnoredFilters(query, chart.filters)}}));
    res.set_content(*body, kJsonType);
    if (chart.cacheable) cache_.Insert(generation, req.target, std::move(body));
  }

  void ServeTable(const httplib::Request& req, httplib::Response& res) {
    // Twice at most: once more on a snapshot of the table as it is now when
    // a build rewrote the postings under the first (postings_table.h).
    for (int attempt = 1;; ++attempt) {
      auto [current, generation] = CurrentSnapshot();
      auto parsed = ParseQuery(req.params, PostingsTableOptions(), *current);
      if (const auto* bad = std::get_if<BadParameter>(&parsed)) return SendBadParameter(res, *bad);
      const auto& query = std::get<ParsedQuery>(parsed);
      // clang before 16 cannot capture a structured binding: name the snapshot.
      auto page = [&, &snapshot = *current]() -> Result<json> {
        auto lease = pool_.Acquire();
        if (!lease.ok()) return lease.status();
        return PostingsPage(snapshot, query, **lease);
      }();
      if (!page.ok() && IsSnapshotBehindTheTable(page.status()) && attempt == 1 &&
          CatchUpWithTheTable(generation))
        continue;
      if (!page.ok()) return SendFailure(req, res, ReadingPostingsFailed(page.status()));
      json body = {{"data", std::move(page).value()},
                   {"filters", query.canonical},
                   {"ignored_filters", IgnoredFilters(query, kPostingFilters)}};
      return SendJson(res, 200, body);
    }
  }

  // Loads the warehouse as it is now, mid-build or not, unless another
  // request did since snapshot `seen` was current; the build's end still
  // reloads (the generation recorded is the one read before loading). False
  // when the load failed: the previous snapshot keeps serving.
  bool CatchUpWithTheTable(uint64_t seen) {
    std::lock_guard check_lock(check_mutex_);
    if (CurrentSnapshot().second != seen) return true;
    Status status = Reload();
    if (!status.ok()) {
      spdlog::warn("serve: keeping the previous snapshot: {}", status.ToString());
      return false;
    }
    spdlog::info("serve: fct_job_postings changed before the build finished; reloaded ({} "
                 "postings)",
                 snapshot()->postings.size());
    return true;
  }

  void ServeCsv(const httplib::Request& req, httplib::Response& res) {
    auto current = snapshot();
    auto parsed = ParseQuery(req.params, CsvExportOptions(), *current);
    if (const auto* bad = std::get_if<BadParameter>(&parsed)) return SendBadParameter(res, *bad);
    auto lease = pool_.Acquire();
    if (!lease.ok()) return SendFailure(req, res, ReadingPostingsFailed(lease.status()));
    auto csv = CsvExport::Prepare(std::move(current), std::get<ParsedQuery>(parsed),
                                  std::move(lease).value(), options_.max_csv_rows,
                                  res.get_header_value(kRequestIdHeader));
    if (!csv.ok()) return SendFailure(req, res, ReadingPostingsFailed(csv.status()));
    std::shared_ptr<void> in_flight = streams_.Enter();
    if (!in_flight) return SendStopping(res);
    CsvExport::Respond(std::move(csv).value(), std::move(in_flight), res);
  }

  void ServeStatic(const httplib::Request& req, httplib::Response& res) {
    if (req.path.starts_with("/api/")) {
      return SendError(res, 404, "not_found", fmt::format("no endpoint {}", req.path),
                       "GET /api/v1 lists the endpoints");
    }
    if (!assets_) {
      res.status = 404;
      res.set_content(
          "silverwork: the dashboard is not built. Build it with `cd web && npm ci && npm run "
          "build`, or pass --web-dir. The API is at /api/v1.\n",
          "text/plain; charset=utf-8");
      return;
    }
    const Asset* asset = assets_->Find(req.path);
    if (asset == nullptr) {
      res.status = 404;
      res.set_content("not found\n", "text/plain; charset=utf-8");
      return;
    }
    res.set_header("Cache-Control",
                   asset->immutable ? "public, max-age=31536000, immutable" : "no-cache");
    if (asset->content_type.starts_with("text/html")) {
      res.set_header("Content-Security-Policy", kContentSecurityPolicy);
    }
    res.set_content(asset->body, asset->content_type);
  }

  const ServeOptions options_;
  Clock& clock_;
  RequestIds request_ids_;
  httplib::Server http_;
  WarehousePool pool_;
  PipelinesApi pipelines_api_;
  std::optional<StaticAssets> assets_;
  Metrics metrics_;
  ResponseCache cache_;
  StreamDrain streams_;  // the CSV exports still streaming

  mutable std::mutex snapshot_mutex_;
  std::shared_ptr<const ServingSnapshot> snapshot_;
  uint64_t generation_ = 0;
  std::string loaded_build_;  // the build generation the snapshot was loaded at

  std::shared_ptr<const ServingStatus> status_ =  // snapshot_mutex_
      std::make_shared<const ServingStatus>();
  std::mutex status_load_mutex_;  // one status load at a time

  std::mutex check_mutex_;   // one CheckWarehouse at a time
  bool unreadable_ = false;  // the last look could not read the generation; check_mutex_

  std::mutex stop_mutex_;
  std::condition_variable stop_signal_;
  bool stopping_ = false;
  bool look_wanted_ = false;  // LookNow was called; stop_mutex_
  std::thread listener_;
  std::thread reloader_;
};

Result<std::unique_ptr<Server>> Server::Create(ServeOptions options) {
  auto impl = std::make_unique<Impl>(std::move(options));
  SW_RETURN_IF_ERROR(impl->Initialize());
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Server::~Server() = default;

Status Server::Start() { return impl_->Start(port_); }
void Server::Stop() { impl_->Stop(); }
Status Server::Reload() { return impl_->Reload(); }
Status Server::ReloadStatus() { return impl_->ReloadStatus(); }
WarehouseCheck Server::CheckWarehouse() { return impl_->CheckWarehouse(); }
void Server::LookNow() { impl_->LookNow(); }
std::shared_ptr<const ServingSnapshot> Server::snapshot() const { return impl_->snapshot(); }
std::shared_ptr<const ServingStatus> Server::status() const { return impl_->status(); }

}  // namespace silverwork::serve
