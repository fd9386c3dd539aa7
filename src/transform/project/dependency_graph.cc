#include "transform/project/dependency_graph.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <functional>
#include <queue>
#include <string>
#include <utility>

namespace silverwork::transform {
namespace {

Status CycleError(std::span<const Node> nodes, const std::vector<std::pair<int, size_t>>& path,
                  int repeated) {
  std::vector<std::string> names;
  bool in_cycle = false;
  std::string files;
  for (const auto& [index, next] : path) {
    in_cycle = in_cycle || index == repeated;
    if (!in_cycle) continue;
    const Node& node = nodes[static_cast<size_t>(index)];
    names.push_back(node.name);
    files += (files.empty() ? "" : ", ") + node.path;
  }
  names.push_back(nodes[static_cast<size_t>(repeated)].name);
  return Status(ErrorCode::kInvalidInput,
                fmt::format("dependency cycle: {}", fmt::join(names, " -> ")),
                fmt::format("break the cycle by removing one of the ref() calls in {}", files));
}

}  // namespace

// Depth-first search along parent edges; a back edge is a cycle, reported
// as "a -> b -> a" where "a -> b" means a reads b.
Status CheckForCycles(std::span<const Node> nodes) {
  enum class Mark { kUnvisited, kOnPath, kDone };
  std::vector<Mark> marks(nodes.size(), Mark::kUnvisited);
  for (size_t start = 0; start < nodes.size(); ++start) {
    if (marks[start] != Mark::kUnvisited) continue;
    // Stack of (node, next parent position).
    std::vector<std::pair<int, size_t>> path{{static_cast<int>(start), 0}};
    marks[start] = Mark::kOnPath;
    while (!path.empty()) {
      auto& [current, next] = path.back();
      const auto& parents = nodes[static_cast<size_t>(current)].parents;
      if (next == parents.size()) {
        marks[static_cast<size_t>(current)] = Mark::kDone;
        path.pop_back();
        continue;
      }
      int parent = parents[next++];
      Mark mark = marks[static_cast<size_t>(parent)];
      if (mark == Mark::kOnPath) return CycleError(nodes, path, parent);
      if (mark == Mark::kUnvisited) {
        marks[static_cast<size_t>(parent)] = Mark::kOnPath;
        path.emplace_back(parent, 0);
      }
    }
  }
  return Status::Ok();
}

// Kahn's algorithm; among ready nodes, tests go first, then file order.
std::vector<int> TopologicalOrder(std::span<const Node> nodes) {
  std::vector<int> order;
  order.reserve(nodes.size());
  std::vector<size_t> waiting(nodes.size());
  using Entry = std::pair<int, int>;  // (0 for tests else 1, index)
  std::priority_queue<Entry, std::vector<Entry>, std::greater<>> ready;
  auto priority = [&](int index) {
    return nodes[static_cast<size_t>(index)].kind == ResourceKind::kTest ? 0 : 1;
  };
  for (const Node& node : nodes) {
    waiting[static_cast<size_t>(node.index)] = node.parents.size();
    if (node.parents.empty()) ready.emplace(priority(node.index), node.index);
  }
  while (!ready.empty()) {
    int index = ready.top().second;
    ready.pop();
    order.push_back(index);
    for (int child : nodes[static_cast<size_t>(index)].children)
      if (--waiting[static_cast<size_t>(child)] == 0) ready.emplace(priority(child), child);
  }
  return order;
}

}  // namespace silverwork::transform
