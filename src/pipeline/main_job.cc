#include "pipeline/main_job.h"

#include "pipeline/collection_run.h"

namespace silverwork {
namespace {

// Postings of the window, then the projects files, in one run.
Status Collect(CollectionRun& run, const CollectionWindow& window, MainJobListener& listener) {
  CollectOutcome postings = run.CollectPostings(window, /*skip_details=*/false);
  listener.PostingsCollected(window, postings);
  SW_RETURN_IF_ERROR(postings.status);
  ProjectsOutcome projects = run.CollectProjects();
  listener.ProjectsCollected(projects);
  return projects.status;
}

}  // namespace

Status RunMainJob(const Config& config, Clock& clock, const MainJobOptions& options,
                  MainJobListener& listener) {
  SW_ASSIGN_OR_RETURN(auto run, CollectionRun::Start(config, clock, {.command = "pipeline",
                                                                     .allow_simulator = true}));
  const CollectionWindow window = LastDays(clock, options.days);
  Status collected = Collect(*run, window, listener);
  Status finished = run->Finish(collected);
  SW_RETURN_IF_ERROR(collected);
  SW_RETURN_IF_ERROR(finished);
  SW_RETURN_IF_ERROR(listener.Collected(run->warehouse()));
  SW_ASSIGN_OR_RETURN(auto results, RunTransform(run->config(), clock, TransformVerb::kBuild,
                                                 {.threads = options.build_threads}));
  SW_RETURN_IF_ERROR(listener.Built(results, run->warehouse()));
  return BuildFailure(results, run->config());
}

}  // namespace silverwork
