// The dependency graph of a manifest's nodes, along their parent edges
// ("a reads b"): checked for cycles and put in an order that runs each node
// after everything it reads. Pure functions; thread-safe.
#pragma once

#include <span>
#include <vector>

#include "common/status.h"
#include "transform/project/manifest.h"

namespace silverwork::transform {

// An error naming the first cycle found ("dependency cycle: a -> b -> a",
// where "a -> b" means a reads b) and the files to fix; OK when there is none.
Status CheckForCycles(std::span<const Node> nodes);

// A topological order of node indexes: among nodes whose parents are all
// placed, tests first (so a test runs right after the last node it tests),
// then by index (file order). REQUIRES: no cycles; `children` linked.
std::vector<int> TopologicalOrder(std::span<const Node> nodes);

}  // namespace silverwork::transform
