// CheckSelectors: the selectors of pipelines.yml resolved against the SQL
// project the way `silverwork build` resolves them.
#include <fmt/format.h>

#include <algorithm>

#include "scheduler/pipelines.h"
#include "transform/project/manifest.h"
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

}  // namespace silverwork::scheduler
