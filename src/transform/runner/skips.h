// Skips: why a node must be skipped, from what failed or was skipped before
// it. A failed or skipped node skips everything that reads it; an
// error-severity test that fails skips the readers of what it tests (other
// tests of the same model still run); with fail_fast the first failure
// skips everything after it. A failed source freshness check skips nothing.
//
// Kept by the scheduling thread alone; not thread-safe.
#pragma once

#include <string>
#include <vector>

#include "transform/project/manifest.h"
#include "transform/run_results.h"

namespace silverwork::transform {

class Skips {
 public:
  // REQUIRES: `manifest` outlives this object.
  Skips(const Manifest& manifest, bool fail_fast);

  // Why `node` must be skipped, or "" when it may run.
  std::string ReasonFor(const Node& node) const;
  // An ephemeral model is never run, but a failure above it still blocks
  // what reads it.
  void PassThroughEphemeral(const Node& node);
  // `node` was skipped for `reason`: its readers are too.
  void NoteSkipped(const Node& node, const std::string& reason);
  // `node` finished with `result`: a failure skips what depends on it.
  void NoteFinished(const Node& node, const NodeResult& result);

 private:
  const Manifest& manifest_;
  const bool fail_fast_;
  // Per node: why its readers are skipped (it failed or was skipped) ...
  std::vector<std::string> blocked_;
  // ... and why its non-test readers are skipped (an error-severity test on it failed).
  std::vector<std::string> tests_failed_;
  std::string fail_fast_stop_;
};

}  // namespace silverwork::transform
