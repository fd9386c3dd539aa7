// What the scheduler's verbs share (scheduler_command.cc, runs_command.cc):
// the config with pipelines.yml loaded and checked, and submitting a request
// and printing its answer. Thread-compatible, like the CLI.
#pragma once

#include <optional>

#include "cli/command.h"
#include "common/config.h"
#include "scheduler/pipelines.h"
#include "scheduler/scheduler_store.h"

namespace silverwork {

struct SchedulerSetup {
  Config config;
  scheduler::PipelinesFile pipelines;
};

// The config, then pipelines.yml loaded and its selectors checked against
// the SQL project. On failure reports it (file, line, what to write), sets
// the exit code and returns nullopt.
std::optional<SchedulerSetup> StartSchedulerCommand(CliContext& context);

// Submits `request` (scheduler/request_client.h), prints the answer —
// saying when this command applied it itself because no scheduler was
// running — and sets the exit code: 0 done or still pending, 1 rejected.
void SubmitFromCli(CliContext& context, const SchedulerSetup& setup,
                   scheduler::SchedulerRequest request);

}  // namespace silverwork
