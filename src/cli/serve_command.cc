// silverwork serve: the dashboard and its JSON API over the warehouse,
// read-only (writes to the API only queue requests for the scheduler, with
// the operator token), until SIGINT or SIGTERM.
#include <pthread.h>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include "cli/wiring.h"
#include "pipeline/warehouse_options.h"
#include "scheduler/pipelines.h"
#include "serve/server.h"
#include "serve/static_assets.h"

namespace silverwork {
namespace {

struct ServeFlags {
  std::string host = "127.0.0.1";
  int port = 8080;
  std::string warehouse;  // default: the config's warehouse path
  std::string web_dir;
  std::string pipelines;  // default: pipelines.yml in the config's project_dir
  int threads = serve::ServeOptions{}.threads;
  double reload_seconds = 5;
  size_t cache_entries = serve::ServeOptions{}.cache_entries;
};

Status Serve(const Config& config, const ServeFlags& flags, Clock& clock) {
  serve::ServeOptions options;
  options.clock = &clock;
  options.warehouse = WarehouseOptionsFor(config);
  if (!flags.warehouse.empty()) options.warehouse.location = flags.warehouse;
  options.warehouse.read_only = true;
  options.pipelines_file =
      flags.pipelines.empty()
          ? std::filesystem::path(config.project_dir) / std::string(scheduler::kPipelinesFileName)
          : std::filesystem::path(flags.pipelines);
  options.api_token = config.serve.api_token;
  options.host = flags.host;
  options.port = flags.port;
  options.threads = flags.threads;
  options.cache_entries = flags.cache_entries;
  options.reload_interval =
      std::chrono::milliseconds(static_cast<int64_t>(flags.reload_seconds * 1000));
  SW_ASSIGN_OR_RETURN(options.web_dir, serve::FindWebDir(flags.web_dir));
  if (!options.web_dir) {
    std::fprintf(stderr,
                 "warning: no built dashboard found (web/dist); serving the API only. Build it "
                 "with `cd web && npm ci && npm run build` or pass --web-dir.\n");
  }

  // Blocked before the server's threads start (they inherit the mask), so
  // only sigwait() below sees the stop signals.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  SW_ASSIGN_OR_RETURN(auto server, serve::Server::Create(std::move(options)));
  SW_RETURN_IF_ERROR(server->Start());
  std::printf("serving on http://%s:%d/\n", flags.host.c_str(), server->port());
  std::fflush(stdout);
  int received = 0;
  sigwait(&stop_signals, &received);
  server->Stop();
  return Status::Ok();
}

}  // namespace

void AddServeCommand(CLI::App& app, CliContext& context) {
  auto flags = std::make_shared<ServeFlags>();
  CLI::App* command = app.add_subcommand(
      "serve", "serve the dashboard and the JSON API (/api/v1) over the warehouse, read-only");
  command->add_option("--host", flags->host, "address to listen on");
  command->add_option("--port", flags->port, "port to listen on (0: any free port)")
      ->check(CLI::Range(0, 65535));
  command->add_option("--warehouse", flags->warehouse,
                      "warehouse to serve (default: the config's warehouse path)");
  command->add_option("--web-dir", flags->web_dir,
                      "built dashboard (default: $SILVERWORK_WEB_DIR, else web/dist found next to "
                      "the binary or the working directory)");
  command->add_option("--pipelines", flags->pipelines,
                      "pipelines.yml the pipelines API describes (default: the SQL project's)");
  command->add_option("--threads", flags->threads,
                      "worker threads, one per open connection (keep-alive)")
      ->check(CLI::Range(2, 1024));
  command->add_option("--reload-interval", flags->reload_seconds,
                      "seconds between checks for a changed warehouse (0: never reload)")
      ->check(CLI::Range(0.0, 86400.0));
  command->add_option("--cache-entries", flags->cache_entries,
                      "chart responses kept until the warehouse changes (0: no cache)");
  command->callback([&context, flags] {
    auto config = LoadCliConfig(context);
    if (!config.ok()) {
      context.exit_code = ReportFailure(config.status());
      return;
    }
    SetUpLogging(context, *config);
    Status status = Serve(*config, *flags, *context.clock);
    context.exit_code = status.ok() ? kExitOk : ReportFailure(status);
  });
}

}  // namespace silverwork
