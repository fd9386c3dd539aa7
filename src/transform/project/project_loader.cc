#include "transform/project/project_files.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "transform/data_tests/generic_tests.h"
#include "transform/project/suggest.h"

namespace silverwork::transform {
namespace fs = std::filesystem;
namespace {

constexpr std::string_view kProjectFileName = "silverwork_project.yml";

const std::vector<std::string> kModelConfigKeys{"materialized", "unique_key", "indexes", "tags",
                                                "enabled"};
const std::vector<std::string> kSeedConfigKeys{"column_types", "tags", "enabled"};
const std::vector<std::string> kSnapshotConfigKeys{
    "unique_key", "strategy", "updated_at", "check_cols", "invalidate_hard_deletes",
    "indexes",    "tags",     "enabled"};
const std::vector<std::string> kTestConfigKeys{"severity", "tags", "enabled", "where"};
const std::vector<std::string> kNoConfigKeys{};

int LineOf(const YAML::Node& node) { return node.Mark().line + 1; }

// Reads one YAML file and reports errors as "<path>:<line>: ...".
class YamlReader {
 public:
  explicit YamlReader(std::string path) : path_(std::move(path)) {}

  const std::string& path() const { return path_; }

  Status Error(const YAML::Node& node, const std::string& message,
               const std::string& hint = {}) const {
    int line = node.IsDefined() ? LineOf(node) : 0;
    return Status(ErrorCode::kInvalidInput, fmt::format("{}:{}: {}", path_, line, message), hint);
  }

  std::string Origin(const YAML::Node& node) const {
    return fmt::format("{}:{}", path_, LineOf(node));
  }

  // Fails on keys of `map` not in `allowed`, suggesting the closest one.
  Status CheckKeys(const YAML::Node& map, std::span<const std::string> allowed,
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

  Result<std::string> String(const YAML::Node& node, std::string_view what) const {
    if (!node.IsScalar()) return Error(node, fmt::format("{} must be a string", what));
    return node.as<std::string>();
  }

  // Sets `out` from map[key] when the key is present.
  Status OptionalString(const YAML::Node& map, const char* key, std::string& out) const {
    const YAML::Node node = map[key];
    if (!node) return Status::Ok();
    SW_ASSIGN_OR_RETURN(out, String(node, key));
    return Status::Ok();
  }

  Result<std::vector<std::string>> StringList(const YAML::Node& node, std::string_view what) const {
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

  Result<TemplateValue> Value(const YAML::Node& node, std::string_view what) const {
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

  // One config entry; `column_types` (a mapping) becomes [[column, type], ...].
  Status AddConfig(const YAML::Node& key_node, const YAML::Node& value_node, ResourceKind kind,
                   ConfigLayer& layer) const {
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

  Result<ConfigLayer> ConfigMap(const YAML::Node& node, ResourceKind kind) const {
    ConfigLayer layer;
    layer.origin = Origin(node);
    if (node.IsNull()) return layer;
    if (!node.IsMap()) return Error(node, "config must be a mapping");
    for (const auto& entry : node)
      SW_RETURN_IF_ERROR(AddConfig(entry.first, entry.second, kind, layer));
    return layer;
  }

  // silverwork_project.yml's `models:` tree: '+key' and known keys are
  // configs, other keys are folders.
  Status FolderTree(const YAML::Node& node, ResourceKind kind, FolderConfigTree& tree) const {
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

 private:
  std::string path_;
};

Result<YAML::Node> ReadYamlFile(const fs::path& file, const std::string& relative) {
  try {
    return YAML::LoadFile(file.string());
  } catch (const YAML::Exception& error) {
    return Status(ErrorCode::kInvalidInput,
                  fmt::format("{}:{}: {}", relative, error.mark.line + 1, error.msg));
  }
}

Result<std::string> ReadTextFile(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return Status(ErrorCode::kIO, fmt::format("cannot read {}", file.string()));
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

bool IsIdentifier(std::string_view name) {
  if (name.empty() || !(std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_'))
    return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

// Files under each of `roots` (relative to the project), sorted, with the
// folders between the root and the file.
struct FoundFile {
  fs::path absolute;
  std::string relative;
  std::vector<std::string> folders;
};

std::vector<FoundFile> FindFiles(const fs::path& project_root, std::span<const std::string> roots,
                                 std::span<const std::string_view> extensions) {
  std::vector<FoundFile> found;
  for (const std::string& root : roots) {
    fs::path base = project_root / root;
    std::error_code error;
    if (!fs::is_directory(base, error)) continue;
    for (const auto& entry : fs::recursive_directory_iterator(base, error)) {
      if (!entry.is_regular_file()) continue;
      std::string extension = entry.path().extension().string();
      if (std::find(extensions.begin(), extensions.end(), extension) == extensions.end()) continue;
      FoundFile file;
      file.absolute = entry.path();
      file.relative = fs::relative(entry.path(), project_root).generic_string();
      for (const auto& part : fs::relative(entry.path().parent_path(), base))
        if (part != ".") file.folders.push_back(part.string());
      found.push_back(std::move(file));
    }
  }
  std::sort(found.begin(), found.end(),
            [](const FoundFile& a, const FoundFile& b) { return a.relative < b.relative; });
  found.erase(
      std::unique(found.begin(), found.end(),
                  [](const FoundFile& a, const FoundFile& b) { return a.relative == b.relative; }),
      found.end());
  return found;
}

class ProjectLoader {
 public:
  explicit ProjectLoader(fs::path root) { files_.root = std::move(root); }

  Result<ProjectFiles> Run() {
    SW_RETURN_IF_ERROR(ReadProjectFile());
    constexpr std::string_view kSql[] = {".sql"};
    constexpr std::string_view kCsv[] = {".csv"};
    for (FoundFile& file : FindFiles(files_.root, model_paths_, kSql))
      SW_RETURN_IF_ERROR(AddSqlFile(file, files_.models));
    for (FoundFile& file : FindFiles(files_.root, test_paths_, kSql))
      SW_RETURN_IF_ERROR(AddSqlFile(file, files_.singular_tests));
    for (FoundFile& file : FindFiles(files_.root, snapshot_paths_, kSql))
      SW_RETURN_IF_ERROR(AddSnapshotFile(file));
    for (FoundFile& file : FindFiles(files_.root, seed_paths_, kCsv))
      files_.seeds.push_back({file.absolute.stem().string(), file.relative, file.folders});

    std::vector<std::string> all_paths;
    for (const auto* paths : {&model_paths_, &seed_paths_, &test_paths_, &snapshot_paths_})
      all_paths.insert(all_paths.end(), paths->begin(), paths->end());
    constexpr std::string_view kYaml[] = {".yml", ".yaml"};
    for (FoundFile& file : FindFiles(files_.root, all_paths, kYaml))
      SW_RETURN_IF_ERROR(ReadPropertiesFile(file));
    return std::move(files_);
  }

 private:
  Status ReadProjectFile() {
    fs::path file = files_.root / kProjectFileName;
    std::error_code error;
    if (!fs::exists(file, error))
      return Status(ErrorCode::kNotFound,
                    fmt::format("no {} in {}", kProjectFileName, files_.root.string()),
                    "run the command from the project folder or pass the folder holding "
                    "silverwork_project.yml");
    YamlReader yaml{std::string(kProjectFileName)};
    SW_ASSIGN_OR_RETURN(YAML::Node root, ReadYamlFile(file, yaml.path()));
    static const std::vector<std::string> kKeys{
        "name",       "version",    "config-version", "profile",   "model-paths",
        "seed-paths", "test-paths", "snapshot-paths", "vars",      "models",
        "seeds",      "snapshots",  "tests",          "data_tests"};
    SW_RETURN_IF_ERROR(yaml.CheckKeys(root, kKeys, kProjectFileName));
    if (!root["name"]) return yaml.Error(root, "the project needs a 'name'");
    SW_ASSIGN_OR_RETURN(files_.name, yaml.String(root["name"], "name"));
    if (!IsIdentifier(files_.name))
      return yaml.Error(root["name"], fmt::format("project name '{}' must be letters, digits and _",
                                                  files_.name));

    struct PathSetting {
      const char* key;
      std::vector<std::string>* target;
      const char* default_path;
    };
    for (const PathSetting& setting :
         {PathSetting{"model-paths", &model_paths_, "models"},
          PathSetting{"seed-paths", &seed_paths_, "seeds"},
          PathSetting{"test-paths", &test_paths_, "tests"},
          PathSetting{"snapshot-paths", &snapshot_paths_, "snapshots"}}) {
      if (root[setting.key]) {
        SW_ASSIGN_OR_RETURN(*setting.target, yaml.StringList(root[setting.key], setting.key));
      } else {
        *setting.target = {setting.default_path};
      }
    }
    if (const YAML::Node vars = root["vars"]) {
      if (!vars.IsMap() && !vars.IsNull()) return yaml.Error(vars, "vars must be a mapping");
      for (const auto& entry : vars) {
        std::string key = entry.first.as<std::string>();
        SW_ASSIGN_OR_RETURN(TemplateValue value, yaml.Value(entry.second, "var '" + key + "'"));
        files_.vars[key] = std::move(value);
      }
    }
    struct TreeSetting {
      const char* key;
      ResourceKind kind;
      FolderConfigTree* tree;
    };
    for (const TreeSetting& setting :
         {TreeSetting{"models", ResourceKind::kModel, &files_.model_folders},
          TreeSetting{"seeds", ResourceKind::kSeed, &files_.seed_folders},
          TreeSetting{"snapshots", ResourceKind::kSnapshot, &files_.snapshot_folders},
          TreeSetting{"tests", ResourceKind::kTest, &files_.test_folders},
          TreeSetting{"data_tests", ResourceKind::kTest, &files_.test_folders}}) {
      if (root[setting.key])
        SW_RETURN_IF_ERROR(yaml.FolderTree(root[setting.key], setting.kind, *setting.tree));
    }
    return Status::Ok();
  }

  Status AddSqlFile(const FoundFile& file, std::vector<SqlFile>& out) {
    SW_ASSIGN_OR_RETURN(std::string text, ReadTextFile(file.absolute));
    SW_ASSIGN_OR_RETURN(Template body, Template::Parse(file.relative, text));
    out.push_back({file.absolute.stem().string(), file.relative, file.folders, std::move(body)});
    return Status::Ok();
  }

  Status AddSnapshotFile(const FoundFile& file) {
    SW_ASSIGN_OR_RETURN(std::string text, ReadTextFile(file.absolute));
    SW_ASSIGN_OR_RETURN(Template parsed,
                        Template::Parse(file.relative, text, {.allow_snapshot_blocks = true}));
    for (const TemplateNode& node : parsed.nodes()) {
      if (node.kind == TemplateNode::Kind::kSnapshot) {
        files_.snapshots.push_back(
            {node.text, file.relative, file.folders, Template(file.relative, node.bodies[0])});
        continue;
      }
      bool blank = node.kind == TemplateNode::Kind::kText &&
                   std::all_of(node.text.begin(), node.text.end(),
                               [](unsigned char c) { return std::isspace(c); });
      if (!blank)
        return Status(ErrorCode::kInvalidInput,
                      fmt::format("{}:{}: only '{{% snapshot name %}}' blocks may appear at the "
                                  "top level of a snapshot file",
                                  file.relative, node.line));
    }
    return Status::Ok();
  }

  Status ReadPropertiesFile(const FoundFile& file) {
    YamlReader yaml(file.relative);
    SW_ASSIGN_OR_RETURN(YAML::Node root, ReadYamlFile(file.absolute, file.relative));
    if (root.IsNull()) return Status::Ok();
    static const std::vector<std::string> kKeys{"version", "sources", "models", "seeds",
                                                "snapshots"};
    SW_RETURN_IF_ERROR(yaml.CheckKeys(root, kKeys, "a properties file"));
    try {
      if (root["sources"]) SW_RETURN_IF_ERROR(ReadSources(yaml, root["sources"]));
      struct Section {
        const char* key;
        ResourceKind kind;
        std::vector<ResourceProperties>* out;
      };
      for (const Section& section :
           {Section{"models", ResourceKind::kModel, &files_.model_properties},
            Section{"seeds", ResourceKind::kSeed, &files_.seed_properties},
            Section{"snapshots", ResourceKind::kSnapshot, &files_.snapshot_properties}}) {
        if (!root[section.key]) continue;
        const YAML::Node list = root[section.key];
        if (!list.IsSequence())
          return yaml.Error(list, fmt::format("{} must be a list", section.key));
        for (const auto& entry : list) {
          SW_ASSIGN_OR_RETURN(ResourceProperties properties,
                              ReadResource(yaml, entry, section.kind));
          section.out->push_back(std::move(properties));
        }
      }
    } catch (const YAML::Exception& error) {
      return Status(ErrorCode::kInvalidInput,
                    fmt::format("{}:{}: {}", file.relative, error.mark.line + 1, error.msg));
    }
    return Status::Ok();
  }

  Result<ResourceProperties> ReadResource(const YamlReader& yaml, const YAML::Node& node,
                                          ResourceKind kind) {
    static const std::vector<std::string> kKeys{"name",  "description", "config", "columns",
                                                "tests", "data_tests",  "meta",   "docs"};
    std::string what = fmt::format("a {} entry", ResourceKindName(kind));
    SW_RETURN_IF_ERROR(yaml.CheckKeys(node, kKeys, what));
    ResourceProperties properties;
    properties.path = yaml.path();
    properties.line = LineOf(node);
    if (!node["name"]) return yaml.Error(node, what + " needs a 'name'");
    SW_ASSIGN_OR_RETURN(properties.name, yaml.String(node["name"], "name"));
    SW_RETURN_IF_ERROR(yaml.OptionalString(node, "description", properties.description));
    if (node["config"]) {
      SW_ASSIGN_OR_RETURN(properties.config, yaml.ConfigMap(node["config"], kind));
    }
    properties.config.origin = yaml.Origin(node);
    SW_RETURN_IF_ERROR(ReadColumns(yaml, node["columns"], properties.columns, properties.tests));
    for (const char* key : {"tests", "data_tests"})
      SW_RETURN_IF_ERROR(ReadTests(yaml, node[key], "", properties.tests));
    return properties;
  }

  Status ReadColumns(const YamlReader& yaml, const YAML::Node& node,
                     std::vector<ColumnProperties>& columns, std::vector<GenericTestSpec>& tests) {
    if (!node) return Status::Ok();
    if (!node.IsSequence()) return yaml.Error(node, "columns must be a list");
    static const std::vector<std::string> kKeys{"name",      "description", "tests", "data_tests",
                                                "data_type", "meta",        "quote"};
    for (const auto& entry : node) {
      SW_RETURN_IF_ERROR(yaml.CheckKeys(entry, kKeys, "a column"));
      ColumnProperties column;
      if (!entry["name"]) return yaml.Error(entry, "a column needs a 'name'");
      SW_ASSIGN_OR_RETURN(column.name, yaml.String(entry["name"], "name"));
      SW_RETURN_IF_ERROR(yaml.OptionalString(entry, "description", column.description));
      for (const char* key : {"tests", "data_tests"})
        SW_RETURN_IF_ERROR(ReadTests(yaml, entry[key], column.name, tests));
      columns.push_back(std::move(column));
    }
    return Status::Ok();
  }

  // `tests:` under a column (column set) or a model (column_name: required).
  Status ReadTests(const YamlReader& yaml, const YAML::Node& node, const std::string& column,
                   std::vector<GenericTestSpec>& tests) {
    if (!node) return Status::Ok();
    if (!node.IsSequence()) return yaml.Error(node, "tests must be a list");
    for (const auto& item : node) {
      GenericTestSpec test;
      test.path = yaml.path();
      test.line = LineOf(item);
      test.column = column;
      test.config.origin = yaml.Origin(item);
      YAML::Node args;
      if (item.IsScalar()) {
        test.kind = item.as<std::string>();
      } else if (item.IsMap() && item.size() == 1) {
        test.kind = item.begin()->first.as<std::string>();
        args = item.begin()->second;
      } else {
        return yaml.Error(item, "a test is a name ('unique') or a mapping with one test name");
      }
      if (!FindGenericTest(test.kind))
        return yaml.Error(item,
                          fmt::format("unknown generic test '{}'{}", test.kind,
                                      DidYouMean(test.kind, GenericTestKinds())),
                          "silverwork has unique, not_null, accepted_values and relationships; "
                          "write other checks as singular tests under tests/");
      SW_RETURN_IF_ERROR(ReadTestArguments(yaml, args, test));
      if (test.column.empty())
        return yaml.Error(item,
                          fmt::format("model-level test '{}' needs 'column_name'", test.kind));
      tests.push_back(std::move(test));
    }
    return Status::Ok();
  }

  Status ReadTestArguments(const YamlReader& yaml, const YAML::Node& args, GenericTestSpec& test) {
    std::vector<std::string> allowed{"config", "severity", "tags", "where", "enabled"};
    if (test.column.empty()) allowed.push_back("column_name");
    for (std::string_view argument : FindGenericTest(test.kind)->arguments)
      if (!argument.empty()) allowed.emplace_back(argument);
    if (args && !args.IsNull())
      SW_RETURN_IF_ERROR(yaml.CheckKeys(args, allowed, fmt::format("test '{}'", test.kind)));
    auto arg = [&](const char* key) {
      return args.IsMap() ? args[key] : YAML::Node(YAML::NodeType::Undefined);
    };

    if (const YAML::Node config = arg("config")) {
      SW_ASSIGN_OR_RETURN(test.config, yaml.ConfigMap(config, ResourceKind::kTest));
    }
    for (const char* legacy : {"severity", "tags", "where", "enabled"}) {
      if (const YAML::Node value = arg(legacy))
        SW_RETURN_IF_ERROR(
            yaml.AddConfig(YAML::Node(legacy), value, ResourceKind::kTest, test.config));
    }
    if (const YAML::Node column_name = arg("column_name")) {
      SW_ASSIGN_OR_RETURN(test.column, yaml.String(column_name, "column_name"));
    }

    if (test.kind == "accepted_values") {
      const YAML::Node values = arg("values");
      if (!values || !values.IsSequence() || values.size() == 0)
        return Status(ErrorCode::kInvalidInput,
                      fmt::format("{}:{}: accepted_values needs 'values: [...]' with at least one "
                                  "value",
                                  yaml.path(), test.line));
      for (const auto& value : values) {
        SW_ASSIGN_OR_RETURN(TemplateValue parsed, yaml.Value(value, "accepted value"));
        test.values.push_back(std::move(parsed));
      }
      if (const YAML::Node quote = arg("quote")) test.quote_values = quote.as<bool>();
    }
    if (test.kind == "relationships") {
      const YAML::Node to = arg("to");
      const YAML::Node field = arg("field");
      if (!to || !field)
        return Status(ErrorCode::kInvalidInput,
                      fmt::format("{}:{}: relationships needs 'to: ref(...)' and 'field: column'",
                                  yaml.path(), test.line));
      SW_ASSIGN_OR_RETURN(std::string to_text, yaml.String(to, "to"));
      SW_ASSIGN_OR_RETURN(Expr parent, ParseExpression(yaml.path(), LineOf(to), to_text));
      if (parent.kind != Expr::Kind::kCall || (parent.name != "ref" && parent.name != "source"))
        return yaml.Error(to,
                          "relationships 'to' must be ref('model') or source('source', 'table')");
      test.to = std::move(parent);
      SW_ASSIGN_OR_RETURN(test.field, yaml.String(field, "field"));
    }
    return Status::Ok();
  }

  Result<std::optional<FreshnessPolicy>> ReadFreshness(const YamlReader& yaml,
                                                       const YAML::Node& node) {
    if (node.IsNull()) return std::optional<FreshnessPolicy>();
    static const std::vector<std::string> kKeys{"warn_after", "error_after"};
    SW_RETURN_IF_ERROR(yaml.CheckKeys(node, kKeys, "freshness"));
    FreshnessPolicy policy;
    for (const char* key : {"warn_after", "error_after"}) {
      const YAML::Node threshold = node[key];
      if (!threshold || threshold.IsNull()) continue;
      static const std::vector<std::string> kThresholdKeys{"count", "period"};
      SW_RETURN_IF_ERROR(yaml.CheckKeys(threshold, kThresholdKeys, key));
      if (!threshold["count"] || !threshold["period"])
        return yaml.Error(threshold, fmt::format("{} needs 'count' and 'period'", key));
      FreshnessThreshold parsed{threshold["count"].as<int64_t>(),
                                threshold["period"].as<std::string>()};
      if (parsed.period != "minute" && parsed.period != "hour" && parsed.period != "day")
        return yaml.Error(threshold["period"],
                          fmt::format("period '{}' must be minute, hour or day", parsed.period));
      (std::string_view(key) == "warn_after" ? policy.warn_after : policy.error_after) = parsed;
    }
    return std::optional<FreshnessPolicy>(policy);
  }

  Status ReadSources(const YamlReader& yaml, const YAML::Node& list) {
    if (!list.IsSequence()) return yaml.Error(list, "sources must be a list");
    static const std::vector<std::string> kSourceKeys{
        "name", "description", "schema", "loaded_at_field", "freshness", "tables", "tags", "meta"};
    static const std::vector<std::string> kTableKeys{
        "name",      "identifier", "description", "loaded_at_field",
        "freshness", "columns",    "tests",       "data_tests",
        "tags",      "meta"};
    for (const auto& node : list) {
      SW_RETURN_IF_ERROR(yaml.CheckKeys(node, kSourceKeys, "a source"));
      SourceProperties source;
      source.path = yaml.path();
      source.line = LineOf(node);
      if (!node["name"]) return yaml.Error(node, "a source needs a 'name'");
      SW_ASSIGN_OR_RETURN(source.name, yaml.String(node["name"], "name"));
      SW_RETURN_IF_ERROR(yaml.OptionalString(node, "schema", source.schema));
      SW_RETURN_IF_ERROR(yaml.OptionalString(node, "description", source.description));
      std::string loaded_at_field;
      SW_RETURN_IF_ERROR(yaml.OptionalString(node, "loaded_at_field", loaded_at_field));
      std::optional<FreshnessPolicy> freshness;
      if (node["freshness"]) {
        SW_ASSIGN_OR_RETURN(freshness, ReadFreshness(yaml, node["freshness"]));
      }
      std::vector<std::string> source_tags;
      if (node["tags"]) {
        SW_ASSIGN_OR_RETURN(source_tags, yaml.StringList(node["tags"], "tags"));
      }
      if (!node["tables"] || !node["tables"].IsSequence())
        return yaml.Error(node, fmt::format("source '{}' needs a list of 'tables'", source.name));
      for (const auto& table_node : node["tables"]) {
        SW_RETURN_IF_ERROR(yaml.CheckKeys(table_node, kTableKeys, "a source table"));
        SourceTableProperties table;
        table.line = LineOf(table_node);
        if (!table_node["name"]) return yaml.Error(table_node, "a source table needs a 'name'");
        SW_ASSIGN_OR_RETURN(table.name, yaml.String(table_node["name"], "name"));
        table.identifier = table.name;
        SW_RETURN_IF_ERROR(yaml.OptionalString(table_node, "identifier", table.identifier));
        SW_RETURN_IF_ERROR(yaml.OptionalString(table_node, "description", table.description));
        table.loaded_at_field = loaded_at_field;
        SW_RETURN_IF_ERROR(
            yaml.OptionalString(table_node, "loaded_at_field", table.loaded_at_field));
        table.freshness = freshness;
        if (table_node["freshness"]) {
          SW_ASSIGN_OR_RETURN(table.freshness, ReadFreshness(yaml, table_node["freshness"]));
        }
        if (table.freshness && table.loaded_at_field.empty())
          return yaml.Error(table_node, fmt::format("source table '{}.{}' has freshness but no "
                                                    "loaded_at_field",
                                                    source.name, table.name));
        table.tags = source_tags;
        if (table_node["tags"]) {
          SW_ASSIGN_OR_RETURN(std::vector<std::string> tags,
                              yaml.StringList(table_node["tags"], "tags"));
          table.tags.insert(table.tags.end(), tags.begin(), tags.end());
        }
        SW_RETURN_IF_ERROR(ReadColumns(yaml, table_node["columns"], table.columns, table.tests));
        for (const char* key : {"tests", "data_tests"})
          SW_RETURN_IF_ERROR(ReadTests(yaml, table_node[key], "", table.tests));
        source.tables.push_back(std::move(table));
      }
      files_.sources.push_back(std::move(source));
    }
    return Status::Ok();
  }

  ProjectFiles files_;
  std::vector<std::string> model_paths_;
  std::vector<std::string> seed_paths_;
  std::vector<std::string> test_paths_;
  std::vector<std::string> snapshot_paths_;
};

}  // namespace

const char* ResourceKindName(ResourceKind kind) {
  switch (kind) {
    case ResourceKind::kModel:
      return "model";
    case ResourceKind::kSeed:
      return "seed";
    case ResourceKind::kSnapshot:
      return "snapshot";
    case ResourceKind::kTest:
      return "test";
    case ResourceKind::kSource:
      return "source";
  }
  return "node";
}

std::span<const std::string> ConfigKeys(ResourceKind kind) {
  switch (kind) {
    case ResourceKind::kModel:
      return kModelConfigKeys;
    case ResourceKind::kSeed:
      return kSeedConfigKeys;
    case ResourceKind::kSnapshot:
      return kSnapshotConfigKeys;
    case ResourceKind::kTest:
      return kTestConfigKeys;
    case ResourceKind::kSource:
      return kNoConfigKeys;
  }
  return kNoConfigKeys;
}

const TemplateValue* ConfigLayer::Find(std::string_view key) const {
  for (auto entry = values.rbegin(); entry != values.rend(); ++entry)
    if (entry->first == key) return &entry->second;
  return nullptr;
}

Result<ProjectFiles> LoadProjectFiles(const fs::path& root) {
  try {
    return ProjectLoader(root).Run();
  } catch (const YAML::Exception& error) {
    return Status(ErrorCode::kInvalidInput,
                  fmt::format("{} (line {}): {}", root.string(), error.mark.line + 1, error.msg));
  } catch (const fs::filesystem_error& error) {
    return Status(ErrorCode::kIO, error.what());
  }
}

}  // namespace silverwork::transform
