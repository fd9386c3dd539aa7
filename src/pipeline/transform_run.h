// Transform runs: the SQL project's runner verbs (build, run, test, seed,
// snapshot), its node list and its docs, over the project and warehouse the
// config names, with time from the injected Clock.
//
// Each call loads the project and opens its own warehouse connection, so
// calls are independent; they are thread-safe as far as the warehouse allows
// (SQLite has one writer at a time).
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/config.h"
#include "common/status.h"
#include "transform/transform_project.h"

namespace silverwork {

enum class TransformVerb { kBuild, kRun, kTest, kSeed, kSnapshot };

inline constexpr std::array<TransformVerb, 5> kTransformVerbs = {
    TransformVerb::kBuild, TransformVerb::kRun, TransformVerb::kTest, TransformVerb::kSeed,
    TransformVerb::kSnapshot};

// "build", "run", "test", "seed", "snapshot".
std::string_view TransformVerbName(TransformVerb verb);
std::optional<TransformVerb> TransformVerbNamed(std::string_view name);

// Nodes a build runs at once unless told: one per core, at most 4 (SQLite
// has one writer at a time; more workers only compute further ahead).
int DefaultTransformThreads();

// Runs `verb` over config.project_dir in the configured warehouse. `options`
// gives the selection and flags; its warehouse and clock are set here, and
// an empty artifacts_dir becomes config.artifacts_dir. An error only when
// nothing could run (no project, no warehouse, a bad selector); failing
// nodes are in the results (see BuildFailure).
Result<transform::RunResults> RunTransform(const Config& config, Clock& clock, TransformVerb verb,
                                           transform::RunOptions options);

// The unique ids of the nodes `options` selects, in DAG order.
Result<std::vector<std::string>> ListTransformNodes(const Config& config,
                                                    transform::RunOptions options);

// Writes manifest.json and lineage.dot to the artifacts folder, and
// catalog.json from the configured warehouse (skipped, with a warning, when
// it cannot be opened).
Status WriteTransformDocs(const Config& config, Clock& clock, transform::RunOptions options);

// Renders the selected nodes and the analyses to compiled/ in the artifacts
// folder with the configured warehouse's spellings; returns the files written.
Result<std::vector<std::string>> CompileTransformProject(const Config& config,
                                                         transform::RunOptions options);

// OK when no node failed; otherwise an error naming how many failed and
// where to look (run_results.json, _sw_test_failures).
Status BuildFailure(const transform::RunResults& results, const Config& config);

}  // namespace silverwork
