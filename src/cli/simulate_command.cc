// silverwork simulate: serves the offline data.go.kr stand-in until SIGINT
// or SIGTERM, so collectors, demos and CI can run without the real service;
// over https with --tls-cert and --tls-key.
#include <pthread.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "cli/cli.h"
#include "cli/command.h"
#include "common/log.h"
#include "simulator/simulator.h"

namespace silverwork {
namespace {

struct SimulateFlags {
  std::string host = "127.0.0.1";
  int port = 8089;
  uint64_t seed = SimulatorDataOptions{}.seed;
  std::string from, today;
  std::string tls_certificate_file, tls_key_file;
  double postings_per_day = SimulatorDataOptions{}.postings_per_day;
  std::vector<int> deadline_days = {SimulatorDataOptions{}.deadline_min_days,
                                    SimulatorDataOptions{}.deadline_max_days};
  bool publish_over_day = false;
  int64_t projects_per_year = SimulatorDataOptions{}.projects_per_year;
  int64_t latency_ms = 0, latency_jitter_ms = 0, hang_ms = 30'000;
  SimulatorFaultOptions faults;
  // Projects files changing over simulated time (YYYY-MM-DD; empty: never).
  std::string publish_projects_file_on, revise_projects_file_on, withdraw_projects_file_on;
};

void AddProjectsFileFlags(CLI::App& command, SimulateFlags& flags) {
  command.add_option("--publish-projects-file-on", flags.publish_projects_file_on,
                     std::string("from this simulated day the OpenAPI document lists a new "
                                 "projects file of that year (id ") +
                         kSimulatorLateProjectsFileId + ")");
  command.add_option("--revise-projects-file-on", flags.revise_projects_file_on,
                     "from this simulated day the newest projects file has other rows and a new "
                     "summary date");
  command.add_option(
      "--withdraw-projects-file-on", flags.withdraw_projects_file_on,
      "from this simulated day the oldest projects file is gone (HTTP 404, code -4)");
  command
      .add_option("--projects-document-fault", flags.faults.document_fault,
                  "the OpenAPI document answers: unavailable (503), not-json, no-files")
      ->transform(CLI::CheckedTransformer(
          std::map<std::string, ProjectsDocumentFault>{
              {"none", ProjectsDocumentFault::kNone},
              {"unavailable", ProjectsDocumentFault::kUnavailable},
              {"not-json", ProjectsDocumentFault::kNotJson},
              {"no-files", ProjectsDocumentFault::kNoFiles}},
          CLI::ignore_case));
}

// The projects file events the flags ask for, on the known files.
Result<ProjectsFileEvents> BuildProjectsFileEvents(const SimulateFlags& flags) {
  ProjectsFileEvents events;
  const auto known = KnownProjectFiles();
  if (!flags.publish_projects_file_on.empty()) {
    SW_ASSIGN_OR_RETURN(Date day, Date::Parse(flags.publish_projects_file_on));
    events.published = ProjectsFileEvents::Published{day.year(), kSimulatorLateProjectsFileId, day};
  }
  if (!flags.revise_projects_file_on.empty()) {
    SW_ASSIGN_OR_RETURN(Date day, Date::Parse(flags.revise_projects_file_on));
    events.revised = ProjectsFileEvents::Revised{known.back().second, day};
  }
  if (!flags.withdraw_projects_file_on.empty()) {
    SW_ASSIGN_OR_RETURN(Date day, Date::Parse(flags.withdraw_projects_file_on));
    events.withdrawn = ProjectsFileEvents::Withdrawn{known.front().second, day};
  }
  return events;
}

void AddFaultFlags(CLI::App& command, SimulateFlags& flags) {
  SimulatorFaultOptions& faults = flags.faults;
  auto rate = CLI::Range(0.0, 1.0);
  command.add_option("--latency-ms", flags.latency_ms, "added to every call");
  command.add_option("--latency-jitter-ms", flags.latency_jitter_ms, "plus uniform [0, jitter)");
  command.add_option("--error-rate", faults.error_rate, "share of calls answering an error code")
      ->check(rate);
  command.add_option("--error-codes", faults.error_codes, "codes drawn for --error-rate")
      ->delimiter(',');
  command.add_option("--quota", faults.daily_quota,
                     "calls per operation per simulated day, then code 22 (0: unlimited)");
  command.add_option("--per-second", faults.per_second_limit,
                     "calls per second, then code 23 (0: unlimited)");
  command.add_option("--http500-rate", faults.http500_rate)->check(rate);
  command.add_option("--http503-rate", faults.http503_rate)->check(rate);
  command
      .add_option("--truncated-rate", faults.truncated_rate,
                  "bodies cut short of their Content-Length")
      ->check(rate);
  command.add_option("--malformed-rate", faults.malformed_rate, "HTTP 200 with broken XML/JSON")
      ->check(rate);
  command.add_option("--reset-rate", faults.reset_rate, "connections reset before answering")
      ->check(rate);
  command.add_option("--hang-rate", faults.hang_rate, "calls never answered")->check(rate);
  command.add_option("--hang-ms", flags.hang_ms, "how long a hung call stays silent");
  command.add_flag("--gone", faults.endpoint_gone, "every call answers code 12 (endpoint retired)");
}

Result<SimulatorOptions> BuildOptions(const SimulateFlags& flags) {
  SimulatorOptions options;
  options.host = flags.host;
  options.port = flags.port;
  options.tls_certificate_file = flags.tls_certificate_file;
  options.tls_key_file = flags.tls_key_file;
  options.data.seed = flags.seed;
  options.data.postings_per_day = flags.postings_per_day;
  options.data.deadline_min_days = flags.deadline_days.at(0);
  options.data.deadline_max_days = flags.deadline_days.at(1);
  options.data.publish_over_day = flags.publish_over_day;
  options.data.projects_per_year = flags.projects_per_year;
  if (!flags.from.empty()) {
    SW_ASSIGN_OR_RETURN(options.data.first_day, Date::Parse(flags.from));
  }
  if (!flags.today.empty()) {
    SW_ASSIGN_OR_RETURN(Date today, Date::Parse(flags.today));
    options.data.today = today;
  }
  SW_ASSIGN_OR_RETURN(options.data.projects_events, BuildProjectsFileEvents(flags));
  options.faults = flags.faults;
  options.faults.latency = std::chrono::milliseconds(flags.latency_ms);
  options.faults.latency_jitter = std::chrono::milliseconds(flags.latency_jitter_ms);
  options.faults.hang = std::chrono::milliseconds(flags.hang_ms);
  // The key is a secret: it comes from the environment, never from argv.
  const char* key = std::getenv("DATA_GO_KR_SERVICE_KEY");
  options.service_key = key != nullptr && *key != '\0' ? key : kSimulatorDemoKey;
  RegisterSecret(options.service_key);
  return options;
}

// Serves until SIGINT/SIGTERM. The signals are blocked before the server's
// threads start (they inherit the mask), so only sigwait() here sees them.
Status Serve(const SimulatorOptions& options, bool demo_key) {
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  SW_ASSIGN_OR_RETURN(std::unique_ptr<Simulator> simulator, Simulator::Start(options));
  std::printf("simulator listening on %s\n", simulator->base_url().c_str());
  std::printf("  postings: %s%s/getJobList, /getJobInfo\n", simulator->base_url().c_str(),
              kSimulatorPostingsPath);
  std::printf("  projects: %s%s/uddi:<file-id>\n", simulator->base_url().c_str(),
              kSimulatorProjectsPath);
  std::printf("  projects files listed in: %s%s (set [projects] openapi_url to it)\n",
              simulator->base_url().c_str(), kSimulatorProjectsDocumentPath);
  if (demo_key) {
    // The demo key is public; printing it lets a client be pointed here.
    std::printf("  service key: the built-in demo key %s\n", kSimulatorDemoKey);
  } else {
    std::printf("  service key: from DATA_GO_KR_SERVICE_KEY\n");
  }
  std::fflush(stdout);

  int received = 0;
  sigwait(&stop_signals, &received);
  simulator->Stop();
  SimulatorStats stats = simulator->Stats();
  std::fprintf(
      stderr, "simulator stopped: %lld list, %lld detail, %lld projects calls, %lld faults\n",
      static_cast<long long>(stats.list_calls), static_cast<long long>(stats.detail_calls),
      static_cast<long long>(stats.projects_calls), static_cast<long long>(stats.faults_injected));
  return Status::Ok();
}

}  // namespace

void AddSimulateCommand(CLI::App& app, CliContext& context) {
  auto flags = std::make_shared<SimulateFlags>();
  CLI::App* command = app.add_subcommand(
      "simulate", "serve the offline data.go.kr simulator (key: $DATA_GO_KR_SERVICE_KEY or demo)");
  command->add_option("--host", flags->host, "address to listen on");
  command->add_option("--port", flags->port, "port to listen on (0: any free port)")
      ->check(CLI::Range(0, 65535));
  CLI::Option* certificate =
      command
          ->add_option("--tls-cert", flags->tls_certificate_file,
                       "serve https with this certificate (chain), a PEM file")
          ->check(CLI::ExistingFile);
  CLI::Option* key =
      command->add_option("--tls-key", flags->tls_key_file, "the certificate's private key (PEM)")
          ->check(CLI::ExistingFile);
  certificate->needs(key);
  key->needs(certificate);
  command->add_option("--seed", flags->seed, "seed of the synthetic data and fault draws");
  command->add_option("--from", flags->from, "first posting day (YYYY-MM-DD; default 2018-01-01)");
  command->add_option("--today", flags->today, "simulated today (YYYY-MM-DD; default: KST today)");
  command->add_option("--postings-per-day", flags->postings_per_day)->check(CLI::Range(0.0, 1e6));
  command
      ->add_option("--deadline-days", flags->deadline_days,
                   "MIN,MAX: each toDd is frDd plus MIN..MAX days (default 7,30)")
      ->delimiter(',')
      ->expected(2);
  command->add_flag("--publish-over-day", flags->publish_over_day,
                    "publish each day's postings one by one between 08:00 and 20:00 KST by the "
                    "clock (SILVERWORK_NOW moves it), not all at midnight");
  command->add_option("--projects-per-year", flags->projects_per_year)
      ->check(CLI::Range(int64_t{0}, int64_t{10'000'000}));
  AddFaultFlags(*command, *flags);
  AddProjectsFileFlags(*command, *flags);

  command->callback([&context, flags] {
    auto options = BuildOptions(*flags);
    if (options.ok()) options->clock = context.clock;  // "today" follows SILVERWORK_NOW
    Status status = options.ok() ? Serve(*options, options->service_key == kSimulatorDemoKey)
                                 : options.status();
    if (!status.ok()) {
      std::fprintf(stderr, "%s\n", RedactSecrets(status.ToUserMessage()).c_str());
      context.exit_code = kExitFailure;
      return;
    }
    context.exit_code = kExitOk;
  });
}

}  // namespace silverwork
