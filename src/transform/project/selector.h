// Node selection with dbt's syntax, for --select and --exclude.
//
//   name             a model, seed, snapshot or test by name ('*' globs), or a unique id
//   path:models/marts  nodes whose file is that path or under it (a bare
//                    argument containing '/' or ending in .sql/.csv is a path too)
//   tag:nightly      nodes tagged nightly
//   source:raw       every table of source raw; source:raw.postings one table
//   resource_type:model, config.materialized:incremental
//   +x  x+  +x+      x with its ancestors / descendants / both; 2+x and x+1
//                    limit the depth
//   a,b              intersection; separate arguments (or spaces) are a union
//
// Tests follow what they test: a test is selected when a node it tests is
// selected (the model of a column test; every ref of a singular test), and
// excluded when one is excluded. A selector that
// matches nothing is an error, with the closest name, so a typo never turns
// into a silent no-op. Pure function of the manifest; thread-safe.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "common/status.h"
#include "transform/project/manifest.h"

namespace silverwork::transform {

// A mask over manifest.nodes(): true for selected nodes. An empty `select`
// selects everything.
Result<std::vector<bool>> SelectNodes(const Manifest& manifest, std::span<const std::string> select,
                                      std::span<const std::string> exclude);

}  // namespace silverwork::transform
