// Closest-name suggestions for "did you mean ...?" in error messages.
// Pure functions; thread-safe.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace silverwork::transform {

// Levenshtein distance (insertions, deletions, substitutions each cost 1).
size_t EditDistance(std::string_view a, std::string_view b);

// The candidate closest to `name`, or "" when none is close enough to be a
// plausible typo (distance at most a third of the longer name, at least 2).
std::string ClosestName(std::string_view name, std::span<const std::string> candidates);

// "; did you mean 'x'?" or "" when nothing is close.
std::string DidYouMean(std::string_view name, std::span<const std::string> candidates);

}  // namespace silverwork::transform
