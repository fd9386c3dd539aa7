#include "transform/project/yaml_reader.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "transform/project/suggest.h"

namespace silverwork::transform {

Result<YAML::Node> ReadYamlFile(const std::filesystem::path& file, const std::string& relative) {
  try {
    return YAML::LoadFile(file.string());
  } catch (const YAML::Exception& error) {
    return Status(ErrorCode::kInvalidInput,
                  fmt::format("{}:{}: {}", relative, error.mark.line + 1, error.msg));
  }
}

Status YamlReader::Error(const YAML::Node& node, const std::string& message,
                         const std::string& hint) const {
  int line = node.IsDefined() ? LineOf(node) : 0;
  return Status(ErrorCode::kInvalidInput, fmt::format("{}:{}: {}", path_, line, message), hint);
}

std::string YamlReader::Origin(const YAML::Node& node) const {
  return fmt::format("{}:{}", path_, LineOf(node));
}

Status YamlReader::CheckKeys(const YAML::Node& map, std::span<const std::string> allowed,
                             std::string_view where) const {
  if (!map.IsMap()) return Error(map, fmt::format("{} must be a mapping", where));
  for (const auto& entry : map) {
    std::string key = entry.first.as<std::string>();
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end())
      return Error(entry.first,
                   fmt::format("unknown key '{}' in {}{}", key, where, DidYouMean(key, allowed)),
                   fmt::format("allowed keys: {}", fmt::join(allowed, ", ")));
  }
  return Status::Ok();
}

Result<std::string> YamlReader::String(const YAML::Node& node, std::string_view what) const {
  if (!node.IsScalar()) return Error(node, fmt::format("{} must be a string", what));
  return node.as<std::string>();
}

Status YamlReader::OptionalString(const YAML::Node& map, const char* key, std::string& out) const {
  const YAML::Node node = map[key];
  if (!node) return Status::Ok();
  SW_ASSIGN_OR_RETURN(out, String(node, key));
  return Status::Ok();
}

Result<std::vector<std::string>> YamlReader::StringList(const YAML::Node& node,
                                                        std::string_view what) const {
  std::vector<std::string> out;
  if (node.IsScalar()) {
    out.push_back(node.as<std::string>());
    return out;
  }
  if (!node.IsSequence()) return Error(node, fmt::format("{} must be a list of strings", what));
  for (const auto& item : node) {
    SW_ASSIGN_OR_RETURN(std::string text, String(item, what));
    out.push_back(std::move(text));
  }
  return out;
}

Result<TemplateValue> YamlReader::Value(const YAML::Node& node, std::string_view what) const {
  if (node.IsNull()) return TemplateValue();
  if (node.IsScalar()) {
    // Quoted scalars ('007', "true") stay text; plain ones get typed.
    if (node.Tag() == "!") return TemplateValue(node.as<std::string>());
    return TemplateValue::FromText(node.as<std::string>());
  }
  if (node.IsSequence()) {
    TemplateValue::List items;
    for (const auto& item : node) {
      SW_ASSIGN_OR_RETURN(TemplateValue value, Value(item, what));
      items.push_back(std::move(value));
    }
    return TemplateValue(std::move(items));
  }
  return Error(node, fmt::format("{} must be a value or a list, not a mapping", what));
}

Status YamlReader::AddConfig(const YAML::Node& key_node, const YAML::Node& value_node,
                             ResourceKind kind, ConfigLayer& layer) const {
  std::string key = key_node.as<std::string>();
  if (!key.empty() && key.front() == '+') key.erase(0, 1);
  std::span<const std::string> allowed = ConfigKeys(kind);
  if (std::find(allowed.begin(), allowed.end(), key) == allowed.end())
    return Error(key_node,
                 fmt::format("unknown {} config '{}'{}", ResourceKindName(kind), key,
                             DidYouMean(key, allowed)),
                 fmt::format("{} configs: {}", ResourceKindName(kind), fmt::join(allowed, ", ")));
  if (key == "column_types") {
    if (!value_node.IsMap()) return Error(value_node, "column_types must map columns to types");
    TemplateValue::List pairs;
    for (const auto& entry : value_node) {
      pairs.push_back(
          TemplateValue(TemplateValue::List{TemplateValue(entry.first.as<std::string>()),
                                            TemplateValue(entry.second.as<std::string>())}));
    }
    layer.values.emplace_back(key, TemplateValue(std::move(pairs)));
    return Status::Ok();
  }
  SW_ASSIGN_OR_RETURN(TemplateValue value, Value(value_node, "config '" + key + "'"));
  layer.values.emplace_back(key, std::move(value));
  return Status::Ok();
}

Result<ConfigLayer> YamlReader::ConfigMap(const YAML::Node& node, ResourceKind kind) const {
  ConfigLayer layer;
  layer.origin = Origin(node);
  if (node.IsNull()) return layer;
  if (!node.IsMap()) return Error(node, "config must be a mapping");
  for (const auto& entry : node)
    SW_RETURN_IF_ERROR(AddConfig(entry.first, entry.second, kind, layer));
  return layer;
}

Status YamlReader::FolderTree(const YAML::Node& node, ResourceKind kind,
                              FolderConfigTree& tree) const {
  tree.config.origin = Origin(node);
  if (node.IsNull()) return Status::Ok();
  if (!node.IsMap()) return Error(node, "folder configs must be a mapping");
  std::span<const std::string> known = ConfigKeys(kind);
  for (const auto& entry : node) {
    std::string key = entry.first.as<std::string>();
    bool is_config =
        key.starts_with('+') || std::find(known.begin(), known.end(), key) != known.end();
    if (is_config) {
      SW_RETURN_IF_ERROR(AddConfig(entry.first, entry.second, kind, tree.config));
    } else if (entry.second.IsMap() || entry.second.IsNull()) {
      SW_RETURN_IF_ERROR(FolderTree(entry.second, kind, tree.children[key]));
    } else {
      return Error(entry.first,
                   fmt::format("'{}' is neither a {} config nor a folder{}", key,
                               ResourceKindName(kind), DidYouMean(key, known)),
                   "configs are written '+name: value'; folders map to more configs");
    }
  }
  return Status::Ok();
}

}  // namespace silverwork::transform
