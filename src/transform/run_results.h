// RunResults: what one build/run/test/seed/snapshot invocation did, node by
// node, and its JSON form (run_results.json).
//
// Node failures are results, not errors: a command that ran returns
// RunResults even when models failed; ok() says whether anything failed.
// Plain values; thread-compatible.
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

namespace silverwork::transform {

enum class NodeStatus {
  kSuccess,  // a model, seed or snapshot was built
  kError,    // it failed (SQL error, template error, freshness past error_after)
  kSkipped,  // not run: something upstream failed, or --fail-fast stopped the run
  kPass,     // a test found no failing rows; a source is fresh
  kFail,     // an error-severity test found failing rows
  kWarn,     // a warn-severity test found failing rows; a source is past warn_after
};

// "success", "error", "skipped", "pass", "fail", "warn".
const char* NodeStatusName(NodeStatus status);

struct NodeResult {
  std::string unique_id;
  std::string resource_type;  // model, seed, snapshot, test, source
  std::string path;           // the defining file, relative to the project
  NodeStatus status = NodeStatus::kSuccess;
  std::string message;  // what happened, or why it failed / was skipped
  double compile_seconds = 0;
  double execute_seconds = 0;
  // When it started (or was skipped), in seconds since the command started,
  // and on which worker (1..threads; 0: none, it was skipped): with several
  // threads, the run's timeline.
  double started_seconds = 0;
  int thread = 0;
  std::optional<int64_t> rows_affected;  // rows written; for tests, failing rows
  std::string compiled_path;             // relative to the artifacts folder; empty if none
  // Left as it was: nothing the node reads changed since it was last built
  // (a model, seed) or last passed (a test), so it was not run again.
  bool up_to_date = false;
};

struct RunResults {
  std::string command;  // build, run, test, seed, snapshot
  std::string run_id;
  std::string generated_at;  // ISO-8601 UTC
  double elapsed_seconds = 0;
  // Time spent inside warehouse calls; elapsed - engine is the runner's own overhead.
  double engine_seconds = 0;
  std::vector<NodeResult> nodes;

  // True when no node has status error or fail.
  bool ok() const;
  int Count(NodeStatus status) const;
  const NodeResult* Find(const std::string& unique_id) const;
  // "12 nodes: 9 success, 1 pass, 1 warn, 1 error" plus one line per error,
  // fail and warn naming the node, its file and the message.
  std::string Summary() const;
};

nlohmann::json ToJson(const RunResults& results);

}  // namespace silverwork::transform
