#include "transform/project/manifest.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <queue>
#include <set>

#include "transform/project/suggest.h"

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

  Result<TemplateValue> Call(const std::string& function, const CallArguments& args) override {
    if (function == "var") return LookUpVar(vars_, args);
    return Status(
        ErrorCode::kInvalidInput,
        fmt::format("config() arguments may use literals and var() only, not {}()", function));
  }
  Result<TemplateValue> This() override {
    return Status(ErrorCode::kInvalidInput, "config() arguments cannot use 'this'");
  }

 private:
  const VarMap& vars_;
};

// One config value and where it was set, for error messages.
struct ConfigEntry {
  TemplateValue value;
  std::string origin;
};

// Config layers merged in precedence order; tags accumulate.
class MergedConfig {
 public:
  void Add(const std::string& key, const TemplateValue& value, const std::string& origin) {
    if (key == "tags") {
      if (value.is_string()) {
        AddTag(value.as_string());
      } else if (value.is_list()) {
        for (const TemplateValue& tag : value.as_list())
          if (tag.is_string()) AddTag(tag.as_string());
      }
      return;
    }
    entries_[key] = {value, origin};
  }
  void AddLayer(const ConfigLayer& layer) {
    for (const auto& [key, value] : layer.values) Add(key, value, layer.origin);
  }

  const ConfigEntry* Find(std::string_view key) const {
    auto found = entries_.find(key);
    return found == entries_.end() ? nullptr : &found->second;
  }
  const std::vector<std::string>& tags() const { return tags_; }

 private:
  void AddTag(const std::string& tag) {
    if (std::find(tags_.begin(), tags_.end(), tag) == tags_.end()) tags_.push_back(tag);
  }
  std::map<std::string, ConfigEntry, std::less<>> entries_;
  std::vector<std::string> tags_;
};

Result<std::string> ConfigString(const MergedConfig& config, std::string_view key) {
  const ConfigEntry* entry = config.Find(key);
  if (!entry || entry->value.is_none()) return std::string();
  if (!entry->value.is_string())
    return ConfigError(entry->origin, fmt::format("config '{}' must be a string, got {} {}", key,
                                                  entry->value.TypeName(), entry->value.Render()));
  return entry->value.as_string();
}

Result<bool> ConfigBool(const MergedConfig& config, std::string_view key, bool fallback) {
  const ConfigEntry* entry = config.Find(key);
  if (!entry || entry->value.is_none()) return fallback;
  if (!entry->value.is_bool())
    return ConfigError(entry->origin, fmt::format("config '{}' must be true or false, got {}", key,
                                                  entry->value.Render()));
  return entry->value.as_bool();
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

std::string SanitizeForId(std::string_view text) {
  std::string out;
  for (char c : text) out += std::isalnum(static_cast<unsigned char>(c)) || c == '_' ? c : '_';
  return out;
}

}  // namespace

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

class ManifestBuilder {
 public:
  ManifestBuilder(const ProjectFiles& files, const VarMap& vars) : files_(files), vars_(vars) {
    manifest_.project_name_ = files.name;
  }

  Result<Manifest> Run() {
    SW_RETURN_IF_ERROR(IndexProperties());
    AddSources();
    for (const SeedFile& seed : files_.seeds) SW_RETURN_IF_ERROR(AddSeed(seed));
    for (const SqlFile& file : files_.snapshots)
      SW_RETURN_IF_ERROR(AddSqlNode(ResourceKind::kSnapshot, file));
    for (const SqlFile& file : files_.models)
      SW_RETURN_IF_ERROR(AddSqlNode(ResourceKind::kModel, file));
    for (const SqlFile& file : files_.singular_tests)
      SW_RETURN_IF_ERROR(AddSqlNode(ResourceKind::kTest, file));
    SW_RETURN_IF_ERROR(CheckPropertiesMatchNodes());
    for (Node& node : manifest_.nodes_)
      if (node.body) SW_RETURN_IF_ERROR(ResolveTemplateDependencies(node));
    SW_RETURN_IF_ERROR(AddGenericTests());
    LinkChildren();
    SW_RETURN_IF_ERROR(CheckForCycles());
    ComputeOrder();
    return std::move(manifest_);
  }

 private:
  using PropertiesIndex = std::map<std::string, const ResourceProperties*, std::less<>>;

  Status IndexProperties() {
    struct Section {
      const std::vector<ResourceProperties>* list;
      PropertiesIndex* index;
    };
    for (const Section& section : {Section{&files_.model_properties, &model_properties_},
                                   Section{&files_.seed_properties, &seed_properties_},
                                   Section{&files_.snapshot_properties, &snapshot_properties_}}) {
      for (const ResourceProperties& properties : *section.list) {
        auto [it, inserted] = section.index->emplace(properties.name, &properties);
        if (!inserted)
          return Status(
              ErrorCode::kInvalidInput,
              fmt::format("{}:{}: '{}' is described twice (also in {}:{})", properties.path,
                          properties.line, properties.name, it->second->path, it->second->line));
      }
    }
    return Status::Ok();
  }

  Node& NewNode(ResourceKind kind, std::string name, std::string path) {
    Node node;
    node.index = static_cast<int>(manifest_.nodes_.size());
    node.kind = kind;
    node.unique_id = fmt::format("{}.{}.{}", ResourceKindName(kind), files_.name, name);
    node.name = std::move(name);
    node.path = std::move(path);
    manifest_.nodes_.push_back(std::move(node));
    return manifest_.nodes_.back();
  }

  void AddSources() {
    for (const SourceProperties& source : files_.sources) {
      for (const SourceTableProperties& table : source.tables) {
        Node& node = NewNode(ResourceKind::kSource, source.name + "." + table.name, source.path);
        node.source_name = source.name;
        node.source_table = &table;
        node.description = table.description.empty() ? source.description : table.description;
        node.columns = table.columns;
        node.config.tags = table.tags;
        node.relation = table.identifier;
        node.schema = source.schema;
        manifest_.sources_[node.name] = node.index;
      }
    }
  }

  // The folder-config layers for [project, folders..., name], root first.
  static void CollectFolderLayers(const FolderConfigTree& root, const std::string& project,
                                  const std::vector<std::string>& folders, const std::string& name,
                                  std::vector<const ConfigLayer*>& layers) {
    layers.push_back(&root.config);
    const FolderConfigTree* tree = &root;
    std::vector<std::string> path{project};
    path.insert(path.end(), folders.begin(), folders.end());
    path.push_back(name);
    for (const std::string& part : path) {
      auto child = tree->children.find(part);
      if (child == tree->children.end()) return;
      tree = &child->second;
      layers.push_back(&tree->config);
    }
  }

  // Adds the config() calls of `body` to `merged`, validating keys.
  Status AddInFileConfig(ResourceKind kind, const Template& body, MergedConfig& merged) {
    ConfigCallEnvironment environment(vars_);
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

  Result<NodeConfig> Interpret(ResourceKind kind, const MergedConfig& merged, std::string_view path,
                               std::string_view name) {
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

  const FolderConfigTree& FolderTree(ResourceKind kind) const {
    switch (kind) {
      case ResourceKind::kSeed:
        return files_.seed_folders;
      case ResourceKind::kSnapshot:
        return files_.snapshot_folders;
      case ResourceKind::kTest:
        return files_.test_folders;
      default:
        return files_.model_folders;
    }
  }

  const ResourceProperties* PropertiesFor(ResourceKind kind, const std::string& name) const {
    const PropertiesIndex* index = kind == ResourceKind::kModel      ? &model_properties_
                                   : kind == ResourceKind::kSeed     ? &seed_properties_
                                   : kind == ResourceKind::kSnapshot ? &snapshot_properties_
                                                                     : nullptr;
    if (!index) return nullptr;
    auto found = index->find(name);
    return found == index->end() ? nullptr : found->second;
  }

  // Creates a node for a seed or .sql file unless its config disables it.
  Status AddConfiguredNode(ResourceKind kind, const std::string& name, const std::string& path,
                           const std::vector<std::string>& folders, const Template* body) {
    std::vector<const ConfigLayer*> layers;
    CollectFolderLayers(FolderTree(kind), files_.name, folders, name, layers);
    MergedConfig merged;
    for (const ConfigLayer* layer : layers) merged.AddLayer(*layer);
    const ResourceProperties* properties = PropertiesFor(kind, name);
    if (properties) merged.AddLayer(properties->config);
    if (body) SW_RETURN_IF_ERROR(AddInFileConfig(kind, *body, merged));
    SW_ASSIGN_OR_RETURN(bool enabled, ConfigBool(merged, "enabled", true));
    if (!enabled) {
      disabled_.insert(name);
      return Status::Ok();
    }
    SW_ASSIGN_OR_RETURN(NodeConfig config, Interpret(kind, merged, path, name));
    if (kind != ResourceKind::kTest) {
      auto [existing, inserted] =
          manifest_.refs_.emplace(name, static_cast<int>(manifest_.nodes_.size()));
      if (!inserted) {
        const Node& other = manifest_.nodes_[static_cast<size_t>(existing->second)];
        return Status(
            ErrorCode::kInvalidInput,
            fmt::format("two resources are named '{}': {} and {}", name, other.path, path),
            "models, seeds and snapshots share one namespace for ref(); rename one");
      }
    }
    Node& node = NewNode(kind, name, path);
    node.config = std::move(config);
    node.body = body;
    node.relation = name;
    if (properties) {
      node.description = properties->description;
      node.columns = properties->columns;
    }
    return Status::Ok();
  }

  Status AddSeed(const SeedFile& seed) {
    return AddConfiguredNode(ResourceKind::kSeed, seed.name, seed.path, seed.folders, nullptr);
  }

  Status AddSqlNode(ResourceKind kind, const SqlFile& file) {
    return AddConfiguredNode(kind, file.name, file.path, file.folders, &file.body);
  }

  Status CheckPropertiesMatchNodes() {
    std::vector<std::string> names;
    for (const auto& [name, index] : manifest_.refs_) names.push_back(name);
    for (const PropertiesIndex* index :
         {&model_properties_, &seed_properties_, &snapshot_properties_}) {
      for (const auto& [name, properties] : *index) {
        if (manifest_.refs_.count(name) || disabled_.count(name)) continue;
        return Status(
            ErrorCode::kInvalidInput,
            fmt::format("{}:{}: properties for '{}', which is not a model, seed or "
                        "snapshot in this project{}",
                        properties->path, properties->line, name, DidYouMean(name, names)));
      }
    }
    return Status::Ok();
  }

  std::vector<std::string> RefNames() const {
    std::vector<std::string> names;
    for (const auto& [name, index] : manifest_.refs_) names.push_back(name);
    return names;
  }

  // The node a ref('name') or source('s', 't') call names; `where` is
  // "<path>:<line>" for errors.
  Result<int> ResolveCall(const Expr& call, const std::string& where) {
    if (call.name == "ref") {
      const std::string& name = call.operands[0].literal.as_string();
      int index = manifest_.FindRef(name);
      if (index >= 0) return index;
      if (disabled_.count(name))
        return Status(ErrorCode::kInvalidInput,
                      fmt::format("{}: ref('{}') names a disabled resource", where, name),
                      "enable it, or remove the ref");
      return Status(ErrorCode::kNotFound,
                    fmt::format("{}: ref('{}') does not match any model, seed or snapshot{}", where,
                                name, DidYouMean(name, RefNames())));
    }
    const std::string name =
        call.operands[0].literal.as_string() + "." + call.operands[1].literal.as_string();
    int index = manifest_.FindSource(call.operands[0].literal.as_string(),
                                     call.operands[1].literal.as_string());
    if (index >= 0) return index;
    std::vector<std::string> names;
    for (const auto& [source_name, source_index] : manifest_.sources_) names.push_back(source_name);
    return Status(ErrorCode::kNotFound,
                  fmt::format("{}: source('{}', '{}') is not declared in any sources: block{}",
                              where, call.operands[0].literal.as_string(),
                              call.operands[1].literal.as_string(), DidYouMean(name, names)));
  }

  Status ResolveTemplateDependencies(Node& node) {
    Status status;
    std::vector<int> parents;
    node.body->ForEachCall([&](const Expr& call) {
      if (!status.ok() || (call.name != "ref" && call.name != "source")) return;
      auto index = ResolveCall(call, fmt::format("{}:{}", node.path, call.line));
      if (!index.ok()) {
        status = index.status();
        return;
      }
      parents.push_back(*index);
    });
    SW_RETURN_IF_ERROR(status);
    std::sort(parents.begin(), parents.end());
    parents.erase(std::unique(parents.begin(), parents.end()), parents.end());
    node.parents = std::move(parents);
    if (node.kind == ResourceKind::kTest) node.tested = node.parents;
    return Status::Ok();
  }

  Status AddGenericTests() {
    std::set<std::string> used_names;
    for (const Node& node : manifest_.nodes_)
      if (node.kind == ResourceKind::kTest) used_names.insert(node.name);
    std::vector<std::pair<int, const GenericTestSpec*>> specs;
    for (const Node& node : manifest_.nodes_) {
      if (node.kind == ResourceKind::kSource) {
        for (const GenericTestSpec& spec : node.source_table->tests)
          specs.emplace_back(node.index, &spec);
      } else if (node.kind != ResourceKind::kTest) {
        if (const ResourceProperties* properties = PropertiesFor(node.kind, node.name))
          for (const GenericTestSpec& spec : properties->tests)
            specs.emplace_back(node.index, &spec);
      }
    }
    for (const auto& [tested, spec] : specs)
      SW_RETURN_IF_ERROR(AddGenericTest(tested, *spec, used_names));
    return Status::Ok();
  }

  Status AddGenericTest(int tested_index, const GenericTestSpec& spec,
                        std::set<std::string>& used_names) {
    GenericTest test{spec.kind, spec.column, spec.values, spec.quote_values, -1, spec.field};
    std::vector<int> parents{tested_index};
    std::string to_name;
    if (spec.to) {
      SW_ASSIGN_OR_RETURN(test.to_node,
                          ResolveCall(*spec.to, fmt::format("{}:{}", spec.path, spec.line)));
      parents.push_back(test.to_node);
      to_name = SanitizeForId(manifest_.node(test.to_node).name);
    }
    const Node& tested = manifest_.node(tested_index);
    std::string subject =
        tested.kind == ResourceKind::kSource ? "source_" + SanitizeForId(tested.name) : tested.name;
    std::string name = fmt::format("{}_{}_{}", spec.kind, subject, SanitizeForId(spec.column));
    if (spec.kind == "relationships")
      name += fmt::format("__{}_{}", to_name, SanitizeForId(spec.field));
    std::string unique_name = name;
    for (int suffix = 2; used_names.count(unique_name); ++suffix)
      unique_name = fmt::format("{}_{}", name, suffix);
    used_names.insert(unique_name);

    std::vector<const ConfigLayer*> layers;
    CollectFolderLayers(files_.test_folders, files_.name, {}, unique_name, layers);
    MergedConfig merged;
    for (const ConfigLayer* layer : layers) merged.AddLayer(*layer);
    merged.AddLayer(spec.config);
    SW_ASSIGN_OR_RETURN(bool enabled, ConfigBool(merged, "enabled", true));
    if (!enabled) return Status::Ok();
    SW_ASSIGN_OR_RETURN(NodeConfig config,
                        Interpret(ResourceKind::kTest, merged, spec.path, unique_name));
    config.tags.insert(config.tags.end(), tested.config.tags.begin(), tested.config.tags.end());

    Node& node = NewNode(ResourceKind::kTest, unique_name, spec.path);
    node.config = std::move(config);
    node.generic_test = std::move(test);
    std::sort(parents.begin(), parents.end());
    parents.erase(std::unique(parents.begin(), parents.end()), parents.end());
    node.parents = std::move(parents);
    node.tested = {tested_index};
    return Status::Ok();
  }

  void LinkChildren() {
    for (Node& node : manifest_.nodes_) {
      manifest_.unique_ids_[node.unique_id] = node.index;
      for (int parent : node.parents)
        manifest_.nodes_[static_cast<size_t>(parent)].children.push_back(node.index);
    }
  }

  // Depth-first search along parent edges; a back edge is a cycle, reported
  // as "a -> b -> a" where "a -> b" means a reads b.
  Status CheckForCycles() const {
    enum class Mark { kUnvisited, kOnPath, kDone };
    const auto& nodes = manifest_.nodes_;
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
        if (mark == Mark::kOnPath) return CycleError(path, parent);
        if (mark == Mark::kUnvisited) {
          marks[static_cast<size_t>(parent)] = Mark::kOnPath;
          path.emplace_back(parent, 0);
        }
      }
    }
    return Status::Ok();
  }

  Status CycleError(const std::vector<std::pair<int, size_t>>& path, int repeated) const {
    std::vector<std::string> names;
    bool in_cycle = false;
    std::string files;
    for (const auto& [index, next] : path) {
      in_cycle = in_cycle || index == repeated;
      if (!in_cycle) continue;
      const Node& node = manifest_.node(index);
      names.push_back(node.name);
      files += (files.empty() ? "" : ", ") + node.path;
    }
    names.push_back(manifest_.node(repeated).name);
    return Status(ErrorCode::kInvalidInput,
                  fmt::format("dependency cycle: {}", fmt::join(names, " -> ")),
                  fmt::format("break the cycle by removing one of the ref() calls in {}", files));
  }

  // Kahn's algorithm; among ready nodes, tests go first, then file order.
  void ComputeOrder() {
    const auto& nodes = manifest_.nodes_;
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
      manifest_.order_.push_back(index);
      for (int child : nodes[static_cast<size_t>(index)].children)
        if (--waiting[static_cast<size_t>(child)] == 0) ready.emplace(priority(child), child);
    }
  }

  const ProjectFiles& files_;
  const VarMap& vars_;
  Manifest manifest_;
  PropertiesIndex model_properties_;
  PropertiesIndex seed_properties_;
  PropertiesIndex snapshot_properties_;
  std::set<std::string, std::less<>> disabled_;
};

Result<Manifest> Manifest::Build(const ProjectFiles& files, const VarMap& vars) {
  return ManifestBuilder(files, vars).Run();
}

int Manifest::FindRef(std::string_view name) const {
  auto found = refs_.find(name);
  return found == refs_.end() ? -1 : found->second;
}

int Manifest::FindSource(std::string_view source, std::string_view table) const {
  auto found = sources_.find(fmt::format("{}.{}", source, table));
  return found == sources_.end() ? -1 : found->second;
}

int Manifest::FindUniqueId(std::string_view unique_id) const {
  auto found = unique_ids_.find(unique_id);
  return found == unique_ids_.end() ? -1 : found->second;
}

}  // namespace silverwork::transform
