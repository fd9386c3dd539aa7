#include "cli/cli.h"

#include "cli/command.h"
#include "cli/wiring.h"
#include "common/log.h"

namespace silverwork {

int RunCli(int argc, char** argv) {
  CLI::App app{
      "silverwork: Korea's senior job programme (노인일자리) data, collected, "
      "warehoused and served"};
  app.require_subcommand(1);
  CliContext context;
  // The clock is chosen once, before any command runs, and passed down.
  // Logging is set up first so that SILVERWORK_NOW's warning has the usual
  // shape; commands set it up again from their config.
  InitLogging({});
  auto process_clock = ProcessClock::FromEnvironment();
  if (!process_clock.ok()) return ReportFailure(process_clock.status());
  context.clock = &process_clock->clock();
  context.clock_shifted = process_clock->shifted();
  app.add_option("--config", context.config_path,
                 "config file (default: $SILVERWORK_CONFIG, else ./silverwork.toml if present)");
  app.add_option("--log-level", context.log_level, "debug, info, warn or error")
      ->check(CLI::IsMember({"debug", "info", "warn", "error"}));

  // The table of subcommands; each registers its own flags and help.
  AddStandaloneCommand(app, context);
  AddPipelineCommand(app, context);
  AddCollectCommands(app, context);
  AddReloadCommand(app, context);
  AddStatusCommand(app, context);
  AddDbCommands(app, context);
  AddTransformCommands(app, context);
  AddServeCommand(app, context);
  AddSimulateCommand(app, context);
  AddSchedulerCommands(app, context);
  AddRunsCommands(app, context);
  AddTaskCommand(app, context);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    int code = app.exit(error);
    return code == 0 ? kExitOk : kExitUsage;
  }
  return context.exit_code;
}

}  // namespace silverwork
