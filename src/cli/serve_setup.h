// What `silverwork serve` and `silverwork standalone` share: the server's
// flags and the ServeOptions they and the config make.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "common/clock.h"
#include "common/config.h"
#include "serve/server.h"

namespace silverwork {

struct ServeFlags {
  std::string host = "127.0.0.1";
  int port = 8080;
  std::string warehouse;  // default: the config's warehouse path
  std::string web_dir;
  std::string pipelines;  // default: the scheduler's (scheduler::PipelinesPathFor)
  int threads = serve::ServeOptions{}.threads;
  double reload_seconds = 5;
  size_t cache_entries = serve::ServeOptions{}.cache_entries;
};

// --host, --port and --web-dir; with `all`, the rest of serve's flags.
void AddServeFlags(CLI::App& command, ServeFlags& flags, bool all);

// The server's options; warns on stderr when no built dashboard is found.
Result<serve::ServeOptions> ServeOptionsFor(const Config& config, const ServeFlags& flags,
                                            Clock& clock);

}  // namespace silverwork
