// How a subcommand plugs into the CLI: each command file defines one
// Add<Name>Command() that registers its CLI11 subcommand, its flags and a
// callback. The callback stores its exit code in the shared CliContext.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "common/clock.h"

namespace silverwork {

struct CliContext {
  std::string config_path;  // --config, or SILVERWORK_CONFIG, or ./silverwork.toml if present
  std::string log_level = "info";
  // The process's clock, built once from SILVERWORK_NOW (or the system
  // clock) before any command runs; commands pass it down.
  Clock* clock = &DefaultClock();
  bool clock_shifted = false;  // SILVERWORK_NOW moved it
  int exit_code = 0;
};

void AddSimulateCommand(CLI::App& app, CliContext& context);
void AddCollectCommands(CLI::App& app, CliContext& context);
void AddReloadCommand(CLI::App& app, CliContext& context);
void AddStatusCommand(CLI::App& app, CliContext& context);
void AddPipelineCommand(CLI::App& app, CliContext& context);
void AddTransformCommands(CLI::App& app, CliContext& context);
void AddServeCommand(CLI::App& app, CliContext& context);
void AddTaskCommand(CLI::App& app, CliContext& context);
// scheduler, trigger, backfill, pause, unpause (scheduler_command.cc).
void AddSchedulerCommands(CLI::App& app, CliContext& context);
// runs list|show|logs|clear, partitions (runs_command.cc).
void AddRunsCommands(CLI::App& app, CliContext& context);
// standalone: simulator, scheduler and serve in one (standalone_command.cc).
void AddStandaloneCommand(CLI::App& app, CliContext& context);
// db grant-reader (db_command.cc).
void AddDbCommands(CLI::App& app, CliContext& context);

}  // namespace silverwork
