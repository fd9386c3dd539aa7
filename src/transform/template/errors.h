// Errors of the template language: every one names the file and line
// ("models/x.sql:12: ..."), and a construct outside the subset says so and
// points at the documented subset. Pure functions; thread-safe.
#pragma once

#include <fmt/format.h>

#include <string>
#include <string_view>

#include "common/status.h"

namespace silverwork::transform {

inline constexpr std::string_view kSubsetHint =
    "silverwork supports the Jinja and dbt constructs listed in docs/transform.md; rewrite the "
    "construct with those";

inline Status LocatedError(std::string_view path, int line, const std::string& message,
                           std::string_view hint = {}) {
  return Status(ErrorCode::kInvalidInput, fmt::format("{}:{}: {}", path, line, message),
                std::string(hint));
}

inline Status Unsupported(std::string_view path, int line, std::string_view construct) {
  return LocatedError(path, line, fmt::format("unsupported template construct '{}'", construct),
                      kSubsetHint);
}

// The message of an unsupported construct without location (for natives;
// the renderer adds it).
inline Status UnsupportedHere(std::string_view construct, std::string_view why = {}) {
  return Status(ErrorCode::kInvalidInput,
                fmt::format("unsupported template construct '{}'{}", construct,
                            why.empty() ? std::string() : fmt::format(": {}", why)),
                std::string(kSubsetHint));
}

}  // namespace silverwork::transform
