#include "transform/project/node_config.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>

#include "transform/project/suggest.h"
#include "transform/template/natives.h"

namespace silverwork::transform {
namespace {

Status ConfigError(std::string_view origin, const std::string& message,
                   const std::string& hint = {}) {
  return Status(ErrorCode::kInvalidInput, fmt::format("{}: {}", origin, message), hint);
}

// Lets config() arguments use var() and literals, nothing else.
class ConfigCallEnvironment final : public TemplateEnvironment {
 public:
  explicit ConfigCallEnvironment(const VarMap& vars) : vars_(vars) {}

  Result<std::optional<TemplateValue>> LookUp(std::string_view name,
                                              std::string_view /*package*/) override {
    if (name == "var")
      return std::optional(MakeFunction(
          "var", [this](const CallArguments& args) { return LookUpVar(vars_, args); }));
    return Status(ErrorCode::kInvalidInput,
                  fmt::format("config() arguments may use literals and var() only, not '{}'", name));
  }

 private:
  const VarMap& vars_;
};

Result<std::string> ConfigString(const MergedConfig& config, std::string_view key) {
  const ConfigEntry* entry = config.Find(key);
  if (!entry || entry->value.is_none()) return std::string();
  if (!entry->value.is_string())
    return ConfigError(entry->origin, fmt::format("config '{}' must be a string, got {} {}", key,
                                                  entry->value.TypeName(), entry->value.Render()));
  return entry->value.as_string();
}

// A string or a list of strings.
Result<std::vector<std::string>> ConfigNames(const MergedConfig& config, std::string_view key) {
  std::vector<std::string> names;
  const ConfigEntry* entry = config.Find(key);
  if (!entry || entry->value.is_none()) return names;
  if (entry->value.is_string()) {
    names.push_back(entry->value.as_string());
    return names;
  }
  if (entry->value.is_list()) {
    for (const TemplateValue& item : entry->value.as_list()) {
      if (!item.is_string()) break;
      names.push_back(item.as_string());
    }
    if (names.size() == entry->value.as_list().size()) return names;
  }
  return ConfigError(entry->origin, fmt::format("config '{}' must be a column name or a list of "
                                                "column names, got {}",
                                                key, entry->value.Render()));
}

// A list whose items are a column name or a list of column names: one
// index each, e.g. indexes=['loaded_at', ['start_month', 'iso_code']].
Result<std::vector<std::vector<std::string>>> ConfigIndexes(const MergedConfig& config) {
  std::vector<std::vector<std::string>> indexes;
  const ConfigEntry* entry = config.Find("indexes");
  if (!entry || entry->value.is_none()) return indexes;
  auto invalid = [&] {
    return ConfigError(entry->origin,
                       fmt::format("config 'indexes' must be a list of column names or of lists "
                                   "of column names, got {}",
                                   entry->value.Render()),
                       "e.g. indexes=['loaded_at', ['start_month', 'iso_code']]");
  };
  if (!entry->value.is_list()) return invalid();
  for (const TemplateValue& item : entry->value.as_list()) {
    std::vector<std::string> columns;
    if (item.is_string()) {
      columns.push_back(item.as_string());
    } else if (item.is_list()) {
      for (const TemplateValue& column : item.as_list()) {
        if (!column.is_string()) return invalid();
        columns.push_back(column.as_string());
      }
    }
    if (columns.empty()) return invalid();
    indexes.push_back(std::move(columns));
  }
  return indexes;
}

Result<ColumnType> ParseColumnType(std::string_view origin, const std::string& column,
                                   const std::string& type_name) {
  std::string lower;
  for (char c : type_name) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  static const std::vector<std::pair<std::string_view, ColumnType>> kTypes{
      {"integer", ColumnType::kInteger}, {"int", ColumnType::kInteger},
      {"bigint", ColumnType::kInteger},  {"smallint", ColumnType::kInteger},
      {"real", ColumnType::kReal},       {"float", ColumnType::kReal},
      {"double", ColumnType::kReal},     {"numeric", ColumnType::kReal},
      {"decimal", ColumnType::kReal},    {"text", ColumnType::kText},
      {"varchar", ColumnType::kText},    {"string", ColumnType::kText},
      {"char", ColumnType::kText},       {"date", ColumnType::kText},
      {"timestamp", ColumnType::kText}};
  for (const auto& [name, type] : kTypes)
    if (lower == name) return type;
  return ConfigError(origin,
                     fmt::format("column_types: '{}' for column '{}' is not a type "
                                 "silverwork knows",
                                 type_name, column),
                     "use integer, real or text");
}

Status InterpretModelConfig(const MergedConfig& merged, NodeConfig& config) {
  if (const ConfigEntry* entry = merged.Find("materialized")) {
    static const std::vector<std::pair<std::string, Materialization>> kKinds{
        {"view", Materialization::kView},
        {"table", Materialization::kTable},
        {"incremental", Materialization::kIncremental},
        {"ephemeral", Materialization::kEphemeral}};
    std::string name = entry->value.is_string() ? entry->value.as_string() : entry->value.Render();
    auto found = std::find_if(kKinds.begin(), kKinds.end(),
                              [&](const auto& kind) { return kind.first == name; });
    if (found == kKinds.end()) {
      std::vector<std::string> names{"view", "table", "incremental", "ephemeral"};
      return ConfigError(entry->origin,
                         fmt::format("materialized '{}' is not one of view, table, incremental, "
                                     "ephemeral{}",
                                     name, DidYouMean(name, names)));
    }
    config.materialized = found->second;
  }
  SW_ASSIGN_OR_RETURN(config.unique_key, ConfigNames(merged, "unique_key"));
  SW_ASSIGN_OR_RETURN(config.indexes, ConfigIndexes(merged));
  return Status::Ok();
}

Status InterpretSnapshotConfig(const MergedConfig& merged, std::string_view path,
                               std::string_view name, NodeConfig& config) {
  SW_ASSIGN_OR_RETURN(config.unique_key, ConfigNames(merged, "unique_key"));
  SW_ASSIGN_OR_RETURN(config.strategy, ConfigString(merged, "strategy"));
  SW_ASSIGN_OR_RETURN(config.updated_at, ConfigString(merged, "updated_at"));
  SW_ASSIGN_OR_RETURN(config.invalidate_hard_deletes,
                      ConfigBool(merged, "invalidate_hard_deletes", false));
  SW_ASSIGN_OR_RETURN(config.indexes, ConfigIndexes(merged));
  if (config.unique_key.empty())
    return ConfigError(path, fmt::format("snapshot '{}' needs config(unique_key=...)", name));
  if (config.strategy == "timestamp") {
    if (config.updated_at.empty())
      return ConfigError(path, fmt::format("snapshot '{}' uses strategy='timestamp' and needs "
                                           "updated_at='column'",
                                           name));
  } else if (config.strategy == "check") {
    const ConfigEntry* entry = merged.Find("check_cols");
    if (entry && entry->value.is_string() && entry->value.as_string() == "all") {
      config.check_all_columns = true;
    } else {
      SW_ASSIGN_OR_RETURN(config.check_cols, ConfigNames(merged, "check_cols"));
      if (config.check_cols.empty())
        return ConfigError(path, fmt::format("snapshot '{}' uses strategy='check' and needs "
                                             "check_cols=[...] or check_cols='all'",
                                             name));
    }
  } else {
    return ConfigError(path, fmt::format("snapshot '{}' needs strategy='timestamp' or "
                                         "strategy='check', got '{}'",
                                         name, config.strategy));
  }
  return Status::Ok();
}

Status InterpretSeedConfig(const MergedConfig& merged, NodeConfig& config) {
  const ConfigEntry* entry = merged.Find("column_types");
  if (!entry) return Status::Ok();
  for (const TemplateValue& pair : entry->value.as_list()) {
    const auto& items = pair.as_list();
    SW_ASSIGN_OR_RETURN(ColumnType type,
                        ParseColumnType(entry->origin, items[0].as_string(), items[1].as_string()));
    config.column_types.emplace_back(items[0].as_string(), type);
  }
  return Status::Ok();
}

Status InterpretTestConfig(const MergedConfig& merged, NodeConfig& config) {
  SW_ASSIGN_OR_RETURN(std::string severity, ConfigString(merged, "severity"));
  std::transform(severity.begin(), severity.end(), severity.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (severity == "warn") {
    config.severity = Severity::kWarn;
  } else if (severity.empty() || severity == "error") {
    config.severity = Severity::kError;
  } else {
    return ConfigError(merged.Find("severity")->origin,
                       fmt::format("severity '{}' must be error or warn", severity));
  }
  SW_ASSIGN_OR_RETURN(config.where, ConfigString(merged, "where"));
  return Status::Ok();
}

}  // namespace

Result<bool> ConfigBool(const MergedConfig& config, std::string_view key, bool fallback) {
  const ConfigEntry* entry = config.Find(key);
  if (!entry || entry->value.is_none()) return fallback;
  if (!entry->value.is_bool())
    return ConfigError(entry->origin, fmt::format("config '{}' must be true or false, got {}", key,
                                                  entry->value.Render()));
  return entry->value.as_bool();
}

const char* MaterializationName(Materialization materialization) {
  switch (materialization) {
    case Materialization::kView:
      return "view";
    case Materialization::kTable:
      return "table";
    case Materialization::kIncremental:
      return "incremental";
    case Materialization::kEphemeral:
      return "ephemeral";
  }
  return "view";
}

Result<TemplateValue> LookUpVar(const VarMap& vars, const CallArguments& args) {
  if (args.positional.empty() || !args.positional[0].is_string())
    return Status(ErrorCode::kInvalidInput, "var() needs the variable's name as a string");
  const std::string& name = args.positional[0].as_string();
  if (auto found = vars.find(name); found != vars.end()) return found->second;
  if (args.positional.size() > 1) return args.positional[1];
  return Status(ErrorCode::kInvalidInput, fmt::format("var '{}' is not defined", name),
                fmt::format("set it under 'vars:' in silverwork_project.yml, pass --vars {}=value, "
                            "or give a default: var('{}', default)",
                            name, name));
}

MergedConfig MergeFolderConfigs(const FolderConfigTree& root, const std::string& project,
                                const std::vector<std::string>& folders, const std::string& name) {
  MergedConfig merged;
  merged.AddLayer(root.config);
  const FolderConfigTree* tree = &root;
  std::vector<std::string> path{project};
  path.insert(path.end(), folders.begin(), folders.end());
  path.push_back(name);
  for (const std::string& part : path) {
    auto child = tree->children.find(part);
    if (child == tree->children.end()) break;
    tree = &child->second;
    merged.AddLayer(tree->config);
  }
  return merged;
}

Status AddInFileConfig(ResourceKind kind, const Template& body, const VarMap& vars,
                       MergedConfig& merged) {
  ConfigCallEnvironment environment(vars);
  Status status;
  body.ForEachCall([&](const Expr& call) {
    if (!status.ok() || call.name != "config") return;
    std::span<const std::string> allowed = ConfigKeys(kind);
    for (size_t i = 0; i < call.keyword_names.size() && status.ok(); ++i) {
      const std::string& key = call.keyword_names[i];
      std::string origin = fmt::format("{}:{}", body.path(), call.line);
      if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
        status = ConfigError(
            origin,
            fmt::format("unknown {} config '{}'{}", ResourceKindName(kind), key,
                        DidYouMean(key, allowed)),
            fmt::format("{} configs: {}", ResourceKindName(kind), fmt::join(allowed, ", ")));
        return;
      }
      auto value = body.Evaluate(call.keyword_values[i], environment);
      if (!value.ok()) {
        status = value.status();
        return;
      }
      merged.Add(key, *value, origin);
    }
  });
  return status;
}

Result<NodeConfig> InterpretConfig(ResourceKind kind, const MergedConfig& merged,
                                   std::string_view path, std::string_view name) {
  NodeConfig config;
  config.tags = merged.tags();
  switch (kind) {
    case ResourceKind::kModel:
      SW_RETURN_IF_ERROR(InterpretModelConfig(merged, config));
      break;
    case ResourceKind::kSnapshot:
      SW_RETURN_IF_ERROR(InterpretSnapshotConfig(merged, path, name, config));
      break;
    case ResourceKind::kSeed:
      SW_RETURN_IF_ERROR(InterpretSeedConfig(merged, config));
      break;
    case ResourceKind::kTest:
      SW_RETURN_IF_ERROR(InterpretTestConfig(merged, config));
      break;
    case ResourceKind::kSource:
      break;
  }
  return config;
}

}  // namespace silverwork::transform
