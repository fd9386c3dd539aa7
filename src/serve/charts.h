// The chart endpoints: one row of a table per endpoint, naming its path,
// which dashboard filters it applies, its own options, and the function that
// computes its data from a snapshot. The server registers every row the same
// way (parse, compute, serialize), so adding a chart is adding a row.
//
// Computations read only the immutable snapshot; thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <span>
#include <string_view>

#include "serve/query.h"
#include "serve/snapshot.h"

namespace silverwork::serve {

struct ChartSpec {
  std::string_view path;     // under /api/v1
  std::string_view summary;  // for docs and the index endpoint
  uint8_t filters;           // FilterBits this chart applies
  std::span<const OptionSpec> options;
  // The status part (ServingStatus) is loaded and replaced apart from the
  // snapshot; the server passes the one serving when the request came.
  nlohmann::json (*compute)(const ServingSnapshot&, const ServingStatus&, const ParsedQuery&);
  // A pure function of the snapshot and the query, so the server may keep
  // the answer until the snapshot changes; false when it reads query.now.
  bool cacheable = true;
};

// Every chart endpoint, in dashboard order.
std::span<const ChartSpec> ChartSpecs();

// The values each filter takes (GET /api/v1/filters).
nlohmann::json FilterOptions(const ServingSnapshot& snapshot);

}  // namespace silverwork::serve
