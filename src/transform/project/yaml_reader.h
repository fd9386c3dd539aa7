// YamlReader: reads the values of one YAML file of a project
// (silverwork_project.yml or a properties file) and reports every problem as
// "<path>:<line>: ...", unknown keys with the closest known one, because a
// typo in a config silently ignored is worse than an error.
//
// Stateless apart from the file's path; thread-compatible.
#pragma once

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "transform/project/project_files.h"

namespace silverwork::transform {

// The 1-based line of `node` in its file.
inline int LineOf(const YAML::Node& node) { return node.Mark().line + 1; }

// Parses `file`; `relative` names it in errors.
Result<YAML::Node> ReadYamlFile(const std::filesystem::path& file, const std::string& relative);

class YamlReader {
 public:
  explicit YamlReader(std::string path) : path_(std::move(path)) {}

  const std::string& path() const { return path_; }

  Status Error(const YAML::Node& node, const std::string& message,
               const std::string& hint = {}) const;

  std::string Origin(const YAML::Node& node) const;

  // Fails on keys of `map` not in `allowed`, suggesting the closest one.
  Status CheckKeys(const YAML::Node& map, std::span<const std::string> allowed,
                   std::string_view where) const;

  Result<std::string> String(const YAML::Node& node, std::string_view what) const;

  // Sets `out` from map[key] when the key is present.
  Status OptionalString(const YAML::Node& map, const char* key, std::string& out) const;

  Result<std::vector<std::string>> StringList(const YAML::Node& node, std::string_view what) const;

  Result<TemplateValue> Value(const YAML::Node& node, std::string_view what) const;

  // One config entry; `column_types` (a mapping) becomes [[column, type], ...].
  Status AddConfig(const YAML::Node& key_node, const YAML::Node& value_node, ResourceKind kind,
                   ConfigLayer& layer) const;

  Result<ConfigLayer> ConfigMap(const YAML::Node& node, ResourceKind kind) const;

  // silverwork_project.yml's `models:` tree: '+key' and known keys are
  // configs, other keys are folders.
  Status FolderTree(const YAML::Node& node, ResourceKind kind, FolderConfigTree& tree) const;

 private:
  std::string path_;
};

}  // namespace silverwork::transform
