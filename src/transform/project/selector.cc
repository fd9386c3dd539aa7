#include "transform/project/selector.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <limits>
#include <sstream>

#include "transform/project/suggest.h"

namespace silverwork::transform {
namespace {

constexpr int kUnlimited = std::numeric_limits<int>::max();

// '*' matches any run of characters, '?' one character.
bool GlobMatch(std::string_view pattern, std::string_view text) {
  size_t p = 0, t = 0, star = std::string_view::npos, resume = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

struct Atom {
  int ancestors_depth = 0;    // "+x": kUnlimited; "2+x": 2
  int descendants_depth = 0;  // "x+": kUnlimited; "x+1": 1
  std::string method;         // name, path, tag, source, resource_type, config.materialized
  std::string value;
};

Result<Atom> ParseAtom(std::string_view text) {
  Atom atom;
  const std::string original(text);
  // Leading "N+" or "+".
  size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  if (digits < text.size() && text[digits] == '+') {
    atom.ancestors_depth = kUnlimited;
    if (digits > 0) std::from_chars(text.data(), text.data() + digits, atom.ancestors_depth);
    text.remove_prefix(digits + 1);
  }
  // Trailing "+N" or "+".
  size_t end = text.size();
  while (end > 0 && std::isdigit(static_cast<unsigned char>(text[end - 1]))) --end;
  if (end > 0 && text[end - 1] == '+') {
    atom.descendants_depth = kUnlimited;
    if (end < text.size())
      std::from_chars(text.data() + end, text.data() + text.size(), atom.descendants_depth);
    text = text.substr(0, end - 1);
  }
  if (text.empty())
    return Status(ErrorCode::kInvalidInput, fmt::format("selector '{}' names nothing", original));
  size_t colon = text.find(':');
  if (colon != std::string_view::npos) {
    atom.method = std::string(text.substr(0, colon));
    atom.value = std::string(text.substr(colon + 1));
    static const std::vector<std::string> kMethods{
        "path", "tag", "source", "resource_type", "config.materialized", "fqn"};
    if (std::find(kMethods.begin(), kMethods.end(), atom.method) == kMethods.end())
      return Status(ErrorCode::kInvalidInput,
                    fmt::format("selector method '{}:' is not supported{}", atom.method,
                                DidYouMean(atom.method, kMethods)),
                    "use name, path:, tag:, source:, resource_type: or config.materialized:");
    if (atom.method == "fqn") atom.method = "name";
  } else {
    atom.value = std::string(text);
    bool looks_like_path = text.find('/') != std::string_view::npos || text.ends_with(".sql") ||
                           text.ends_with(".csv");
    atom.method = looks_like_path ? "path" : "name";
  }
  while (atom.method == "path" && atom.value.size() > 1 && atom.value.back() == '/')
    atom.value.pop_back();
  return atom;
}

bool AtomMatches(const Atom& atom, const Node& node) {
  const std::string& value = atom.value;
  if (atom.method == "name") {
    if (node.unique_id == value) return true;
    return value.find_first_of("*?") != std::string::npos ? GlobMatch(value, node.name)
                                                          : node.name == value;
  }
  if (atom.method == "path")
    return node.path == value || (node.path.size() > value.size() && node.path.starts_with(value) &&
                                  node.path[value.size()] == '/');
  if (atom.method == "tag")
    return std::find(node.config.tags.begin(), node.config.tags.end(), value) !=
           node.config.tags.end();
  if (atom.method == "source")
    return node.kind == ResourceKind::kSource &&
           (node.source_name == value || GlobMatch(value, node.name));
  if (atom.method == "resource_type") return value == ResourceKindName(node.kind);
  if (atom.method == "config.materialized")
    return node.kind == ResourceKind::kModel &&
           value == MaterializationName(node.config.materialized);
  return false;
}

// Adds nodes reachable from `mask` along parent (ancestors) or child edges.
void Expand(const Manifest& manifest, std::vector<bool>& mask, int depth, bool upstream) {
  std::vector<int> frontier;
  for (size_t i = 0; i < mask.size(); ++i)
    if (mask[i]) frontier.push_back(static_cast<int>(i));
  for (int level = 0; level < depth && !frontier.empty(); ++level) {
    std::vector<int> next;
    for (int index : frontier) {
      const Node& node = manifest.node(index);
      for (int neighbour : upstream ? node.parents : node.children) {
        if (mask[static_cast<size_t>(neighbour)]) continue;
        mask[static_cast<size_t>(neighbour)] = true;
        next.push_back(neighbour);
      }
    }
    frontier = std::move(next);
  }
}

Result<std::vector<bool>> ResolveAtom(const Manifest& manifest, std::string_view text) {
  SW_ASSIGN_OR_RETURN(Atom atom, ParseAtom(text));
  const auto& nodes = manifest.nodes();
  std::vector<bool> mask(nodes.size(), false);
  bool any = false;
  for (const Node& node : nodes) {
    if (AtomMatches(atom, node)) {
      mask[static_cast<size_t>(node.index)] = true;
      any = true;
    }
  }
  if (!any) {
    std::vector<std::string> candidates;
    for (const Node& node : nodes) {
      if (atom.method == "path") {
        candidates.push_back(node.path);
      } else if (atom.method == "tag") {
        candidates.insert(candidates.end(), node.config.tags.begin(), node.config.tags.end());
      } else {
        candidates.push_back(node.kind == ResourceKind::kSource ? node.source_name : node.name);
      }
    }
    return Status(
        ErrorCode::kNotFound,
        fmt::format("selector '{}' matches no node{}", text, DidYouMean(atom.value, candidates)),
        "`silverwork ls` lists every node");
  }
  // Ancestors and descendants are both taken from the matched nodes alone.
  std::vector<bool> ancestors = mask;
  if (atom.ancestors_depth > 0) Expand(manifest, ancestors, atom.ancestors_depth, true);
  if (atom.descendants_depth > 0) Expand(manifest, mask, atom.descendants_depth, false);
  for (size_t i = 0; i < mask.size(); ++i) mask[i] = mask[i] || ancestors[i];
  return mask;
}

// Union over space-separated terms; each term the intersection of its
// comma-separated atoms. Tests of any selected node join (eager).
Result<std::vector<bool>> ResolveSelectors(const Manifest& manifest,
                                           std::span<const std::string> selectors) {
  std::vector<bool> result(manifest.nodes().size(), false);
  for (const std::string& argument : selectors) {
    std::istringstream terms(argument);
    std::string term;
    while (terms >> term) {
      std::vector<bool> intersection(result.size(), true);
      size_t start = 0;
      while (start <= term.size()) {
        size_t comma = term.find(',', start);
        if (comma == std::string::npos) comma = term.size();
        SW_ASSIGN_OR_RETURN(
            std::vector<bool> atom,
            ResolveAtom(manifest, std::string_view(term).substr(start, comma - start)));
        for (size_t i = 0; i < atom.size(); ++i) intersection[i] = intersection[i] && atom[i];
        start = comma + 1;
      }
      for (size_t i = 0; i < result.size(); ++i) result[i] = result[i] || intersection[i];
    }
  }
  for (const Node& node : manifest.nodes()) {
    if (node.kind != ResourceKind::kTest || result[static_cast<size_t>(node.index)]) continue;
    for (int tested : node.tested)
      if (result[static_cast<size_t>(tested)]) result[static_cast<size_t>(node.index)] = true;
  }
  return result;
}

}  // namespace

Result<std::vector<bool>> SelectNodes(const Manifest& manifest, std::span<const std::string> select,
                                      std::span<const std::string> exclude) {
  std::vector<bool> selected(manifest.nodes().size(), true);
  bool has_select = std::any_of(select.begin(), select.end(), [](const std::string& s) {
    return s.find_first_not_of(" \t") != std::string::npos;
  });
  if (has_select) {
    SW_ASSIGN_OR_RETURN(selected, ResolveSelectors(manifest, select));
  }
  SW_ASSIGN_OR_RETURN(std::vector<bool> excluded, ResolveSelectors(manifest, exclude));
  for (size_t i = 0; i < selected.size(); ++i) selected[i] = selected[i] && !excluded[i];
  return selected;
}

}  // namespace silverwork::transform
