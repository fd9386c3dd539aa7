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
    "models use the Jinja subset listed in docs/transform.md; rewrite the construct with it";

inline Status LocatedError(std::string_view path, int line, const std::string& message,
                           std::string_view hint = {}) {
  return Status(ErrorCode::kInvalidInput, fmt::format("{}:{}: {}", path, line, message),
                std::string(hint));
}

inline Status Unsupported(std::string_view path, int line, std::string_view construct) {
  return LocatedError(path, line, fmt::format("unsupported template construct '{}'", construct),
                      kSubsetHint);
}

}  // namespace silverwork::transform
