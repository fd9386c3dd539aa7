#include "transform/project/suggest.h"

#include <algorithm>
#include <numeric>
#include <vector>

namespace silverwork::transform {

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> previous(b.size() + 1);
  std::vector<size_t> current(b.size() + 1);
  std::iota(previous.begin(), previous.end(), size_t{0});
  for (size_t i = 1; i <= a.size(); ++i) {
    current[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, substitution});
    }
    std::swap(previous, current);
  }
  return previous[b.size()];
}

std::string ClosestName(std::string_view name, std::span<const std::string> candidates) {
  std::string best;
  size_t best_distance = 0;
  for (const std::string& candidate : candidates) {
    size_t distance = EditDistance(name, candidate);
    if (best.empty() || distance < best_distance) {
      best = candidate;
      best_distance = distance;
    }
  }
  size_t limit = std::max<size_t>(2, std::max(name.size(), best.size()) / 3);
  return !best.empty() && best_distance <= limit ? best : std::string();
}

std::string DidYouMean(std::string_view name, std::span<const std::string> candidates) {
  std::string closest = ClosestName(name, candidates);
  return closest.empty() ? std::string() : "; did you mean '" + closest + "'?";
}

}  // namespace silverwork::transform
