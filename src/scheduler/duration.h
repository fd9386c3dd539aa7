// Durations as pipelines.yml writes them: "30s", "5m", "1h30m", "2d".
// Pure functions; thread-safe.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "common/status.h"

namespace silverwork::scheduler {

// One or more <integer><unit> parts, units d, h, m, s, largest first, each
// at most once ("1h30m", "90s", "0s"). Anything else is kInvalidInput with
// what to write.
Result<std::chrono::seconds> ParseDuration(std::string_view text);

// The shortest form ParseDuration reads back: "1h30m", "45s", "0s".
std::string FormatDuration(std::chrono::seconds duration);

}  // namespace silverwork::scheduler
