#include "serve/server.h"

#include <fmt/format.h>
#include <httplib.h>
#include <malloc.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <nlohmann/json.hpp>

#include "common/date.h"
#include "common/log.h"
#include "serve/charts.h"
#include "serve/metrics.h"
#include "serve/postings_table.h"
#include "serve/response_cache.h"
#include "serve/static_assets.h"
#include "serve/warehouse_pool.h"

namespace silverwork::serve {
namespace {

using nlohmann::json;

constexpr std::string_view kApiPrefix = "/api/v1";
// A charset parameter also keeps the HTTP layer from compressing each response.
constexpr const char* kJsonType = "application/json; charset=utf-8";
constexpr size_t kCsvChunkRows = 2000;

// The dashboard loads nothing from elsewhere; ECharts styles elements inline.
constexpr const char* kContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; frame-ancestors 'none'; "
    "base-uri 'none'";

std::string Dump(const json& body) {
  // Text from the warehouse may hold invalid UTF-8; replace it rather than fail.
  return body.dump(-1, ' ', false, json::error_handler_t::replace);
}

void SendJson(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_header("Cache-Control", "no-store");
  res.set_content(Dump(body), kJsonType);
}

void SendError(httplib::Response& res, int status, std::string_view code, std::string_view message,
               std::string_view hint, std::string_view parameter = {}) {
  json error = {{"code", code}, {"message", message}, {"hint", hint}};
  if (!parameter.empty()) error["parameter"] = parameter;
  SendJson(res, status, {{"error", std::move(error)}});
}

void SendBadParameter(httplib::Response& res, const BadParameter& bad) {
  SendError(res, 400, "invalid_parameter",
            fmt::format("parameter '{}': {}", bad.parameter, bad.message), bad.hint, bad.parameter);
}

void SendStatus(httplib::Response& res, const Status& status) {
  spdlog::error("serve: {}", status.ToString());
  SendError(res, 503, "unavailable", status.message(), status.hint());
}

// What the reloader compares to notice a changed warehouse: the database
// file and its write-ahead log (SQLite commits land in the WAL first).
struct FileStamp {
  ino_t inode = 0;
  off_t size = 0;
  int64_t mtime_ns = 0;
  bool operator==(const FileStamp&) const = default;
};
struct WarehouseStamp {
  FileStamp database, wal;
  bool operator==(const WarehouseStamp&) const = default;
};

FileStamp Stamp(const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return {};
  return {info.st_ino, info.st_size,
          static_cast<int64_t>(info.st_mtim.tv_sec) * 1'000'000'000 + info.st_mtim.tv_nsec};
}

// An empty write-ahead log holds no commits: it is what opening a
// checkpointed database creates, so it stamps like no log at all (a writer's
// checkpoint that empties the log also changes the database file).
WarehouseStamp StampOf(const WarehouseOptions& options) {
  FileStamp wal = Stamp(options.location + "-wal");
  if (wal.size == 0) wal = {};
  return {Stamp(options.location), wal};
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

int64_t ResidentBytes() {
  std::ifstream statm("/proc/self/statm");
  int64_t pages = 0, resident = 0;
  statm >> pages >> resident;
  return resident * ::sysconf(_SC_PAGESIZE);
}

}  // namespace

class Server::Impl {
 public:
  explicit Impl(ServeOptions options)
      : options_(std::move(options)), pool_(options_.warehouse), cache_(options_.cache_entries) {
    options_.warehouse.read_only = true;
  }

  ~Impl() { Stop(); }

  Status Initialize() {
    if (options_.web_dir) {
      SW_ASSIGN_OR_RETURN(auto assets, StaticAssets::Load(*options_.web_dir));
      assets_.emplace(std::move(assets));
    }
    SW_RETURN_IF_ERROR(Reload());
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
    if (options_.reload_interval.count() > 0) {
      reloader_ = std::thread([this] { WatchWarehouse(); });
    }
    spdlog::info("serving {} on http://{}:{}/ ({} postings, dashboard: {})",
                 options_.warehouse.location, options_.host, port, snapshot()->postings.size(),
                 assets_ ? assets_->dir().string() : std::string("not built"));
    return Status::Ok();
  }

  void Stop() {
    {
      std::lock_guard lock(stop_mutex_);
      stopping_ = true;
    }
    stop_signal_.notify_all();
    if (reloader_.joinable()) reloader_.join();
    http_.stop();
    if (listener_.joinable()) listener_.join();
  }

  Status Reload() {
    const WarehouseStamp stamp = StampOf(options_.warehouse);
    auto warehouse = OpenWarehouse(options_.warehouse);
    Result<ServingSnapshot> loaded =
        warehouse.ok() ? LoadSnapshot(**warehouse) : Result<ServingSnapshot>(warehouse.status());
    metrics_.RecordReload(loaded.ok());
    if (!loaded.ok()) return loaded.status();
    auto fresh = std::make_shared<const ServingSnapshot>(std::move(loaded).value());
    {
      std::lock_guard lock(snapshot_mutex_);
      snapshot_ = std::move(fresh);
      ++generation_;
      loaded_stamp_ = stamp;
    }
    pool_.Reset();
    // Loading churns through a million rows of temporaries; hand the freed
    // pages back so the resident size reflects what the snapshot holds.
    malloc_trim(0);
    return Status::Ok();
  }

  std::shared_ptr<const ServingSnapshot> snapshot() const {
    std::lock_guard lock(snapshot_mutex_);
    return snapshot_;
  }

  // The snapshot and its generation (which keys the response cache).
  std::pair<std::shared_ptr<const ServingSnapshot>, uint64_t> CurrentSnapshot() const {
    std::lock_guard lock(snapshot_mutex_);
    return {snapshot_, generation_};
  }

 private:
  // Reloads once the warehouse has changed and then stayed unchanged for a
  // whole interval, so a build in progress is not loaded half-way.
  void WatchWarehouse() {
    WarehouseStamp previous = StampOf(options_.warehouse);
    std::unique_lock lock(stop_mutex_);
    while (!stop_signal_.wait_for(lock, options_.reload_interval, [&] { return stopping_; })) {
      const WarehouseStamp current = StampOf(options_.warehouse);
      WarehouseStamp loaded;
      {
        std::lock_guard snapshot_lock(snapshot_mutex_);
        loaded = loaded_stamp_;
      }
      const bool settled = current == previous;
      previous = current;
      if (!settled || current == loaded) continue;
      lock.unlock();
      Status status = Reload();
      if (status.ok()) {
        spdlog::info("serve: reloaded the warehouse ({} postings)", snapshot()->postings.size());
      } else {
        spdlog::warn("serve: keeping the previous snapshot: {}", status.ToString());
        std::lock_guard snapshot_lock(snapshot_mutex_);
        loaded_stamp_ = current;  // retried when the file changes again
      }
      lock.lock();
    }
  }

  void ConfigureHttp() {
    const int threads = std::max(2, options_.threads);
    http_.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
    http_.set_keep_alive_max_count(options_.keep_alive_max_requests);
    http_.set_keep_alive_timeout(options_.keep_alive_timeout.count());
    http_.set_read_timeout(options_.read_timeout.count(), 0);
    http_.set_write_timeout(options_.write_timeout.count(), 0);
    http_.set_payload_max_length(options_.max_body_bytes);
    http_.set_tcp_nodelay(true);
    http_.set_default_headers({{"X-Content-Type-Options", "nosniff"},
                               {"Referrer-Policy", "no-referrer"},
                               {"X-Frame-Options", "DENY"}});
    // cpp-httplib 0.11 compresses text/* responses with brotli at its slowest
    // quality (11): a large CSV export took 50 s instead of 1.4 s. Its choice
    // follows Accept-Encoding alone, so "br" is dropped from it (gzip stays).
    // The Request is httplib's own non-const object, passed here as const.
    http_.set_pre_routing_handler([](const httplib::Request& req, httplib::Response&) {
      auto& request = const_cast<httplib::Request&>(req);
      auto [first, last] = request.headers.equal_range("Accept-Encoding");
      for (auto header = first; header != last; ++header)
        header->second = WithoutBrotli(header->second);
      return httplib::Server::HandlerResponse::Unhandled;
    });
    http_.set_exception_handler(
        [](const httplib::Request& req, httplib::Response& res, std::exception_ptr thrown) {
          std::string what = "unknown exception";
          try {
            if (thrown) std::rethrow_exception(thrown);
          } catch (const std::exception& error) {
            what = error.what();
          } catch (...) {
          }
          spdlog::error("serve: {} {} failed: {}", req.method, req.path, what);
          SendError(res, 500, "internal", "the server failed to answer this request",
                    "see the server log");
        });
    http_.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
      if (!res.body.empty()) return;
      const bool api = req.path.starts_with("/api/");
      if (res.status == 413) {
        SendError(res, 413, "too_large", "the request body is too large",
                  "send GET requests without a body");
      } else if (res.status == 414) {
        SendError(res, 414, "uri_too_long", "the request URI is too long",
                  "select fewer filter values");
      } else if (api || res.status != 404) {
        SendError(res, res.status, "http_error", fmt::format("HTTP {}", res.status),
                  "see GET /api/v1");
      }
    });

    Route("/healthz", [this](const httplib::Request&, httplib::Response& res) {
      auto current = snapshot();
      SendJson(res, 200,
               {{"status", "ok"},
                {"postings", current->postings.size()},
                {"loaded_at", FormatUtcTimestamp(current->loaded_at)}});
    });
    Route("/metrics", [this](const httplib::Request&, httplib::Response& res) {
      res.set_content(metrics_.Render(SnapshotGauges()),
                      "text/plain; version=0.0.4; charset=utf-8");
    });
    Route(std::string(kApiPrefix), [](const httplib::Request&, httplib::Response& res) {
      json endpoints = json::array();
      endpoints.push_back({{"path", "/api/v1/filters"}, {"summary", "values each filter takes"}});
      for (const ChartSpec& chart : ChartSpecs()) {
        endpoints.push_back(
            {{"path", fmt::format("{}{}", kApiPrefix, chart.path)}, {"summary", chart.summary}});
      }
      endpoints.push_back({{"path", "/api/v1/postings"}, {"summary", "postings table, paged"}});
      endpoints.push_back(
          {{"path", "/api/v1/postings.csv"}, {"summary", "filtered postings as CSV"}});
      SendJson(res, 200, {{"version", 1}, {"endpoints", std::move(endpoints)}});
    });
    Route(fmt::format("{}/filters", kApiPrefix),
          [this](const httplib::Request& req, httplib::Response& res) {
            auto current = snapshot();
            if (!req.params.empty()) {
              return SendBadParameter(
                  res, {req.params.begin()->first, "this endpoint takes no parameters",
                        "call /api/v1/filters without a query"});
            }
            SendJson(res, 200, FilterOptions(*current));
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

    const auto not_allowed = [](const httplib::Request&, httplib::Response& res) {
      res.set_header("Allow", "GET, HEAD");
      SendError(res, 405, "method_not_allowed", "only GET is served", "use GET");
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

  // Registers an exact GET path, timing it in the metrics.
  void Route(const std::string& path,
             std::function<void(const httplib::Request&, httplib::Response&)> handler) {
    const size_t route = metrics_.AddRoute(path);
    std::string pattern;
    for (char c : path) {
      if (c == '.') pattern += '\\';
      pattern += c;
    }
    http_.Get(pattern, [this, route, handler = std::move(handler)](const httplib::Request& req,
                                                                   httplib::Response& res) {
      const auto started = std::chrono::steady_clock::now();
      handler(req, res);
      metrics_.Record(
          route, res.status,
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    });
  }

  void ServeChart(const ChartSpec& chart, const httplib::Request& req, httplib::Response& res) {
    const auto [current, generation] = CurrentSnapshot();
    res.status = 200;
    res.set_header("Cache-Control", "no-store");
    if (auto cached = cache_.Find(generation, req.target)) {
      res.set_content(*cached, kJsonType);
      return;
    }
    auto parsed = ParseQuery(req.params, chart.options, *current);
    if (const auto* bad = std::get_if<BadParameter>(&parsed)) return SendBadParameter(res, *bad);
    const auto& query = std::get<ParsedQuery>(parsed);
    auto body = std::make_shared<const std::string>(
        Dump({{"data", chart.compute(*current, query)},
              {"filters", query.canonical},
              {"ignored_filters", IgnoredFilters(query, chart.filters)}}));
    res.set_content(*body, kJsonType);
    cache_.Insert(generation, req.target, std::move(body));
  }

  void ServeTable(const httplib::Request& req, httplib::Response& res) {
    auto current = snapshot();
    auto parsed = ParseQuery(req.params, PostingsTableOptions(), *current);
    if (const auto* bad = std::get_if<BadParameter>(&parsed)) return SendBadParameter(res, *bad);
    const auto& query = std::get<ParsedQuery>(parsed);
    auto lease = pool_.Acquire();
    if (!lease.ok()) return SendStatus(res, lease.status());
    auto page = PostingsPage(*current, query, **lease);
    if (!page.ok()) return SendStatus(res, page.status());
    json body = {{"data", std::move(page).value()},
                 {"filters", query.canonical},
                 {"ignored_filters", IgnoredFilters(query, kPostingFilters)}};
    SendJson(res, 200, body);
  }

  void ServeCsv(const httplib::Request& req, httplib::Response& res) {
    auto current = snapshot();
    auto parsed = ParseQuery(req.params, PostingsTableOptions().subspan(2), *current);
    if (const auto* bad = std::get_if<BadParameter>(&parsed)) return SendBadParameter(res, *bad);
    auto lease = pool_.Acquire();
    if (!lease.ok()) return SendStatus(res, lease.status());
    struct Export {
      std::shared_ptr<const ServingSnapshot> snapshot;
      std::vector<const PostingRecord*> records;
      WarehousePool::Lease lease;
      size_t next = 0;
    };
    auto state = std::make_shared<Export>(Export{current, {}, std::move(lease).value(), 0});
    size_t total = 0;
    Status matched = ForEachMatchingPosting(*current, std::get<ParsedQuery>(parsed), *state->lease,
                                            [&](const PostingRecord& record) {
                                              if (total++ < kMaxCsvRows)
                                                state->records.push_back(&record);
                                            });
    if (!matched.ok()) return SendStatus(res, matched);
    res.set_header("Content-Disposition", "attachment; filename=\"silverwork-postings.csv\"");
    res.set_header("Cache-Control", "no-store");
    res.set_header("X-Silverwork-Rows", std::to_string(total));
    res.set_header("X-Silverwork-Truncated", total > kMaxCsvRows ? "true" : "false");
    res.set_chunked_content_provider(
        "text/csv; charset=utf-8", [state](size_t, httplib::DataSink& sink) {
          std::string chunk = state->next == 0 ? PostingsCsvHeader() : std::string();
          const size_t end = std::min(state->records.size(), state->next + kCsvChunkRows);
          Status status = AppendPostingsCsv(
              *state->snapshot, std::span(state->records).subspan(state->next, end - state->next),
              *state->lease, chunk);
          if (!status.ok()) {
            spdlog::error("serve: CSV export stopped: {}", status.ToString());
            return false;
          }
          state->next = end;
          if (!chunk.empty() && !sink.write(chunk.data(), chunk.size())) return false;
          if (state->next >= state->records.size()) sink.done();
          return true;
        });
  }

  void ServeStatic(const httplib::Request& req, httplib::Response& res) {
    if (req.path.starts_with("/api/")) {
      return SendError(res, 404, "not_found", fmt::format("no endpoint {}", req.path),
                       "GET /api/v1 lists the endpoints");
    }
    if (!assets_) {
      res.status = req.path == "/" ? 503 : 404;
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

  std::string SnapshotGauges() const {
    auto current = snapshot();
    const auto loaded_seconds =
        std::chrono::duration<double>(current->loaded_at.time_since_epoch()).count();
    std::string cube_cells;
    const auto add_cube = [&](uint8_t dims, std::string_view per_category, size_t cells) {
      cube_cells +=
          fmt::format("silverwork_snapshot_cube_cells{{dims=\"year,province,shape{}{}{}{}\"}} {}\n",
                      dims & kByMonth ? ",month" : "", dims & kByJobClass ? ",job_class" : "",
                      dims & kByPreferences ? ",preferences" : "", per_category, cells);
    };
    for (const PostingCube& cube : current->posting_cubes)
      add_cube(cube.dims, "", cube.cells.size());
    for (const CategoryCube& cube : current->category_cubes) {
      add_cube(cube.dims, ",per_category", cube.cells.size());
    }
    return fmt::format(
        "# HELP silverwork_snapshot_loaded_timestamp_seconds When the serving snapshot was "
        "loaded.\n"
        "# TYPE silverwork_snapshot_loaded_timestamp_seconds gauge\n"
        "silverwork_snapshot_loaded_timestamp_seconds {:.3f}\n"
        "# HELP silverwork_snapshot_load_seconds How long loading the snapshot took.\n"
        "# TYPE silverwork_snapshot_load_seconds gauge\n"
        "silverwork_snapshot_load_seconds {:.3f}\n"
        "# HELP silverwork_snapshot_postings Postings in the serving snapshot.\n"
        "# TYPE silverwork_snapshot_postings gauge\n"
        "silverwork_snapshot_postings {}\n"
        "# HELP silverwork_snapshot_cube_cells Cells in each postings cube, by the dimensions it "
        "keeps.\n"
        "# TYPE silverwork_snapshot_cube_cells gauge\n"
        "{}"
        "# HELP silverwork_response_cache_hits_total Chart responses served from the cache.\n"
        "# TYPE silverwork_response_cache_hits_total counter\n"
        "silverwork_response_cache_hits_total {}\n"
        "# HELP silverwork_response_cache_misses_total Chart responses computed.\n"
        "# TYPE silverwork_response_cache_misses_total counter\n"
        "silverwork_response_cache_misses_total {}\n"
        "# HELP silverwork_process_resident_memory_bytes Resident set size.\n"
        "# TYPE silverwork_process_resident_memory_bytes gauge\n"
        "silverwork_process_resident_memory_bytes {}\n",
        loaded_seconds, current->load_seconds, current->postings.size(), cube_cells, cache_.hits(),
        cache_.misses(), ResidentBytes());
  }

  ServeOptions options_;
  httplib::Server http_;
  WarehousePool pool_;
  std::optional<StaticAssets> assets_;
  Metrics metrics_;
  ResponseCache cache_;

  mutable std::mutex snapshot_mutex_;
  std::shared_ptr<const ServingSnapshot> snapshot_;
  uint64_t generation_ = 0;
  WarehouseStamp loaded_stamp_;

  std::mutex stop_mutex_;
  std::condition_variable stop_signal_;
  bool stopping_ = false;
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
std::shared_ptr<const ServingSnapshot> Server::snapshot() const { return impl_->snapshot(); }

}  // namespace silverwork::serve
