// CheckSelectors: the selectors of pipelines.yml resolved against the SQL
// project the way `silverwork build` resolves them.
#include <fmt/format.h>

#include <algorithm>

#include "common/config.h"
#include "scheduler/pipelines.h"
#include "transform/project/manifest.h"
#include "transform/project/project_files.h"
#include "transform/project/selector.h"

namespace silverwork::scheduler {

Status CheckSelectors(const PipelinesFile& file, const transform::Manifest& manifest) {
  for (const PipelineSpec& pipeline : file.pipelines) {
    for (const TaskSpec& task : pipeline.tasks) {
      if (!TakesSelector(task.kind)) continue;
      const std::string where = fmt::format("{}:{}: task '{}' of pipeline '{}'", file.path,
                                            task.line, task.name, pipeline.name);
      auto selected = transform::SelectNodes(manifest, task.select, task.exclude);
      if (!selected.ok())
        return Status(ErrorCode::kInvalidInput,
                      fmt::format("{}: {}", where, selected.status().message()),
                      "selectors use `silverwork build -s` syntax (a source table is "
                      "source:raw.raw_postings); " +
                          selected.status().hint());
      if (std::none_of(selected->begin(), selected->end(), [](bool chosen) { return chosen; }))
        return Status(ErrorCode::kInvalidInput, fmt::format("{} selects no node", where),
                      "its exclude removes everything its select chooses; `silverwork ls -s` "
                      "shows what a selector picks");
    }
  }
  return Status::Ok();
}

std::filesystem::path PipelinesPathFor(const Config& config) {
  if (!config.scheduler.pipelines_file.empty()) return config.scheduler.pipelines_file;
  return std::filesystem::path(config.project_dir) / kPipelinesFileName;
}

Result<PipelinesFile> LoadCheckedPipelines(const Config& config, const TimeZoneDatabase& zones) {
  SW_ASSIGN_OR_RETURN(PipelinesFile file, LoadPipelinesFile(PipelinesPathFor(config), zones));
  const bool any_selector =
      std::any_of(file.pipelines.begin(), file.pipelines.end(), [](const PipelineSpec& pipeline) {
        return std::any_of(pipeline.tasks.begin(), pipeline.tasks.end(),
                           [](const TaskSpec& task) { return TakesSelector(task.kind); });
      });
  if (!any_selector) return file;
  SW_ASSIGN_OR_RETURN(transform::ProjectFiles project,
                      transform::LoadProjectFiles(config.project_dir));
  SW_ASSIGN_OR_RETURN(transform::Manifest manifest, transform::Manifest::Build(project, {}));
  SW_RETURN_IF_ERROR(CheckSelectors(file, manifest));
  return file;
}

}  // namespace silverwork::scheduler
