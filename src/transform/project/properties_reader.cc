#include "transform/project/properties_reader.h"

#include <fmt/format.h>

#include <algorithm>

#include "transform/data_tests/generic_tests.h"
#include "transform/project/suggest.h"
#include "transform/project/yaml_reader.h"

namespace silverwork::transform {
namespace {

// Reads the properties file at `relative` into `files`.
class PropertiesReader {
 public:
  PropertiesReader(std::string relative, ProjectFiles& files)
      : yaml_(std::move(relative)), files_(files) {}

  // The file's parsed `root`: sources:, models:, seeds:, snapshots:.
  Status Read(const YAML::Node& root);

 private:
  Result<ResourceProperties> ReadResource(const YAML::Node& node, ResourceKind kind);
  Status ReadColumns(const YAML::Node& node, std::vector<ColumnProperties>& columns,
                     std::vector<GenericTestSpec>& tests);
  // `tests:` under a column (column set) or a model (column_name: required).
  Status ReadTests(const YAML::Node& node, const std::string& column,
                   std::vector<GenericTestSpec>& tests);
  Status ReadTestArguments(const YAML::Node& args, GenericTestSpec& test);
  Result<std::optional<FreshnessPolicy>> ReadFreshness(const YAML::Node& node);
  Status ReadSources(const YAML::Node& list);
  Result<SourceProperties> ReadSource(const YAML::Node& node);
  // A table of source `source_name`; `inherited` holds the source's
  // loaded_at_field, freshness and tags.
  Result<SourceTableProperties> ReadSourceTable(const YAML::Node& node,
                                                const std::string& source_name,
                                                const SourceTableProperties& inherited);

  YamlReader yaml_;
  ProjectFiles& files_;
};

Status PropertiesReader::Read(const YAML::Node& root) {
  if (root.IsNull()) return Status::Ok();
  static const std::vector<std::string> kKeys{"version", "sources", "models", "seeds", "snapshots"};
  SW_RETURN_IF_ERROR(yaml_.CheckKeys(root, kKeys, "a properties file"));
  if (root["sources"]) SW_RETURN_IF_ERROR(ReadSources(root["sources"]));
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
    if (!list.IsSequence()) return yaml_.Error(list, fmt::format("{} must be a list", section.key));
    for (const auto& entry : list) {
      SW_ASSIGN_OR_RETURN(ResourceProperties properties, ReadResource(entry, section.kind));
      section.out->push_back(std::move(properties));
    }
  }
  return Status::Ok();
}

Result<ResourceProperties> PropertiesReader::ReadResource(const YAML::Node& node,
                                                          ResourceKind kind) {
  static const std::vector<std::string> kKeys{"name",  "description", "config", "columns",
                                              "tests", "data_tests",  "meta",   "docs"};
  std::string what = fmt::format("a {} entry", ResourceKindName(kind));
  SW_RETURN_IF_ERROR(yaml_.CheckKeys(node, kKeys, what));
  ResourceProperties properties;
  properties.path = yaml_.path();
  properties.line = LineOf(node);
  if (!node["name"]) return yaml_.Error(node, what + " needs a 'name'");
  SW_ASSIGN_OR_RETURN(properties.name, yaml_.String(node["name"], "name"));
  SW_RETURN_IF_ERROR(yaml_.OptionalString(node, "description", properties.description));
  if (node["config"]) {
    SW_ASSIGN_OR_RETURN(properties.config, yaml_.ConfigMap(node["config"], kind));
  }
  properties.config.origin = yaml_.Origin(node);
  SW_RETURN_IF_ERROR(ReadColumns(node["columns"], properties.columns, properties.tests));
  for (const char* key : {"tests", "data_tests"})
    SW_RETURN_IF_ERROR(ReadTests(node[key], "", properties.tests));
  return properties;
}

Status PropertiesReader::ReadColumns(const YAML::Node& node, std::vector<ColumnProperties>& columns,
                                     std::vector<GenericTestSpec>& tests) {
  if (!node) return Status::Ok();
  if (!node.IsSequence()) return yaml_.Error(node, "columns must be a list");
  static const std::vector<std::string> kKeys{"name",      "description", "tests", "data_tests",
                                              "data_type", "meta",        "quote"};
  for (const auto& entry : node) {
    SW_RETURN_IF_ERROR(yaml_.CheckKeys(entry, kKeys, "a column"));
    ColumnProperties column;
    if (!entry["name"]) return yaml_.Error(entry, "a column needs a 'name'");
    SW_ASSIGN_OR_RETURN(column.name, yaml_.String(entry["name"], "name"));
    SW_RETURN_IF_ERROR(yaml_.OptionalString(entry, "description", column.description));
    for (const char* key : {"tests", "data_tests"})
      SW_RETURN_IF_ERROR(ReadTests(entry[key], column.name, tests));
    columns.push_back(std::move(column));
  }
  return Status::Ok();
}

Status PropertiesReader::ReadTests(const YAML::Node& node, const std::string& column,
                                   std::vector<GenericTestSpec>& tests) {
  if (!node) return Status::Ok();
  if (!node.IsSequence()) return yaml_.Error(node, "tests must be a list");
  for (const auto& item : node) {
    GenericTestSpec test;
    test.path = yaml_.path();
    test.line = LineOf(item);
    test.column = column;
    test.config.origin = yaml_.Origin(item);
    YAML::Node args;
    if (item.IsScalar()) {
      test.kind = item.as<std::string>();
    } else if (item.IsMap() && item.size() == 1) {
      test.kind = item.begin()->first.as<std::string>();
      args = item.begin()->second;
    } else {
      return yaml_.Error(item, "a test is a name ('unique') or a mapping with one test name");
    }
    if (!FindGenericTest(test.kind))
      return yaml_.Error(item,
                         fmt::format("unknown generic test '{}'{}", test.kind,
                                     DidYouMean(test.kind, GenericTestKinds())),
                         "silverwork has unique, not_null, accepted_values and relationships; "
                         "write other checks as singular tests under tests/");
    SW_RETURN_IF_ERROR(ReadTestArguments(args, test));
    if (test.column.empty())
      return yaml_.Error(item, fmt::format("model-level test '{}' needs 'column_name'", test.kind));
    tests.push_back(std::move(test));
  }
  return Status::Ok();
}

Status PropertiesReader::ReadTestArguments(const YAML::Node& args, GenericTestSpec& test) {
  std::vector<std::string> allowed{"config", "severity", "tags", "where", "enabled"};
  if (test.column.empty()) allowed.push_back("column_name");
  for (std::string_view argument : FindGenericTest(test.kind)->arguments)
    if (!argument.empty()) allowed.emplace_back(argument);
  if (args && !args.IsNull())
    SW_RETURN_IF_ERROR(yaml_.CheckKeys(args, allowed, fmt::format("test '{}'", test.kind)));
  auto arg = [&](const char* key) {
    return args.IsMap() ? args[key] : YAML::Node(YAML::NodeType::Undefined);
  };

  if (const YAML::Node config = arg("config")) {
    SW_ASSIGN_OR_RETURN(test.config, yaml_.ConfigMap(config, ResourceKind::kTest));
  }
  for (const char* legacy : {"severity", "tags", "where", "enabled"}) {
    if (const YAML::Node value = arg(legacy))
      SW_RETURN_IF_ERROR(
          yaml_.AddConfig(YAML::Node(legacy), value, ResourceKind::kTest, test.config));
  }
  if (const YAML::Node column_name = arg("column_name")) {
    SW_ASSIGN_OR_RETURN(test.column, yaml_.String(column_name, "column_name"));
  }

  if (test.kind == "accepted_values") {
    const YAML::Node values = arg("values");
    if (!values || !values.IsSequence() || values.size() == 0)
      return Status(ErrorCode::kInvalidInput,
                    fmt::format("{}:{}: accepted_values needs 'values: [...]' with at least one "
                                "value",
                                yaml_.path(), test.line));
    for (const auto& value : values) {
      SW_ASSIGN_OR_RETURN(TemplateValue parsed, yaml_.Value(value, "accepted value"));
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
                                yaml_.path(), test.line));
    SW_ASSIGN_OR_RETURN(std::string to_text, yaml_.String(to, "to"));
    SW_ASSIGN_OR_RETURN(Expr parent, ParseExpression(yaml_.path(), LineOf(to), to_text));
    if (parent.kind != Expr::Kind::kCall || (parent.name != "ref" && parent.name != "source"))
      return yaml_.Error(to,
                         "relationships 'to' must be ref('model') or source('source', 'table')");
    test.to = std::move(parent);
    SW_ASSIGN_OR_RETURN(test.field, yaml_.String(field, "field"));
  }
  return Status::Ok();
}

Result<std::optional<FreshnessPolicy>> PropertiesReader::ReadFreshness(const YAML::Node& node) {
  if (node.IsNull()) return std::optional<FreshnessPolicy>();
  static const std::vector<std::string> kKeys{"warn_after", "error_after"};
  SW_RETURN_IF_ERROR(yaml_.CheckKeys(node, kKeys, "freshness"));
  FreshnessPolicy policy;
  for (const char* key : {"warn_after", "error_after"}) {
    const YAML::Node threshold = node[key];
    if (!threshold || threshold.IsNull()) continue;
    static const std::vector<std::string> kThresholdKeys{"count", "period"};
    SW_RETURN_IF_ERROR(yaml_.CheckKeys(threshold, kThresholdKeys, key));
    if (!threshold["count"] || !threshold["period"])
      return yaml_.Error(threshold, fmt::format("{} needs 'count' and 'period'", key));
    FreshnessThreshold parsed{threshold["count"].as<int64_t>(),
                              threshold["period"].as<std::string>()};
    if (parsed.period != "minute" && parsed.period != "hour" && parsed.period != "day")
      return yaml_.Error(threshold["period"],
                         fmt::format("period '{}' must be minute, hour or day", parsed.period));
    (std::string_view(key) == "warn_after" ? policy.warn_after : policy.error_after) = parsed;
  }
  return std::optional<FreshnessPolicy>(policy);
}

Status PropertiesReader::ReadSources(const YAML::Node& list) {
  if (!list.IsSequence()) return yaml_.Error(list, "sources must be a list");
  for (const auto& node : list) {
    SW_ASSIGN_OR_RETURN(SourceProperties source, ReadSource(node));
    files_.sources.push_back(std::move(source));
  }
  return Status::Ok();
}

Result<SourceProperties> PropertiesReader::ReadSource(const YAML::Node& node) {
  static const std::vector<std::string> kSourceKeys{
      "name", "description", "schema", "loaded_at_field", "freshness", "tables", "tags", "meta"};
  SW_RETURN_IF_ERROR(yaml_.CheckKeys(node, kSourceKeys, "a source"));
  SourceProperties source;
  source.path = yaml_.path();
  source.line = LineOf(node);
  if (!node["name"]) return yaml_.Error(node, "a source needs a 'name'");
  SW_ASSIGN_OR_RETURN(source.name, yaml_.String(node["name"], "name"));
  SW_RETURN_IF_ERROR(yaml_.OptionalString(node, "schema", source.schema));
  SW_RETURN_IF_ERROR(yaml_.OptionalString(node, "description", source.description));
  // What every table inherits unless it says otherwise.
  SourceTableProperties inherited;
  SW_RETURN_IF_ERROR(yaml_.OptionalString(node, "loaded_at_field", inherited.loaded_at_field));
  if (node["freshness"]) {
    SW_ASSIGN_OR_RETURN(inherited.freshness, ReadFreshness(node["freshness"]));
  }
  if (node["tags"]) {
    SW_ASSIGN_OR_RETURN(inherited.tags, yaml_.StringList(node["tags"], "tags"));
  }
  if (!node["tables"] || !node["tables"].IsSequence())
    return yaml_.Error(node, fmt::format("source '{}' needs a list of 'tables'", source.name));
  for (const auto& table_node : node["tables"]) {
    SW_ASSIGN_OR_RETURN(SourceTableProperties table,
                        ReadSourceTable(table_node, source.name, inherited));
    source.tables.push_back(std::move(table));
  }
  return source;
}

Result<SourceTableProperties> PropertiesReader::ReadSourceTable(
    const YAML::Node& node, const std::string& source_name,
    const SourceTableProperties& inherited) {
  static const std::vector<std::string> kTableKeys{
      "name",       "identifier", "description", "loaded_at_field", "freshness", "columns", "tests",
      "data_tests", "tags",       "meta"};
  SW_RETURN_IF_ERROR(yaml_.CheckKeys(node, kTableKeys, "a source table"));
  SourceTableProperties table;
  table.line = LineOf(node);
  if (!node["name"]) return yaml_.Error(node, "a source table needs a 'name'");
  SW_ASSIGN_OR_RETURN(table.name, yaml_.String(node["name"], "name"));
  table.identifier = table.name;
  SW_RETURN_IF_ERROR(yaml_.OptionalString(node, "identifier", table.identifier));
  SW_RETURN_IF_ERROR(yaml_.OptionalString(node, "description", table.description));
  table.loaded_at_field = inherited.loaded_at_field;
  SW_RETURN_IF_ERROR(yaml_.OptionalString(node, "loaded_at_field", table.loaded_at_field));
  table.freshness = inherited.freshness;
  if (node["freshness"]) {
    SW_ASSIGN_OR_RETURN(table.freshness, ReadFreshness(node["freshness"]));
  }
  if (table.freshness && table.loaded_at_field.empty())
    return yaml_.Error(node, fmt::format("source table '{}.{}' has freshness but no "
                                         "loaded_at_field",
                                         source_name, table.name));
  table.tags = inherited.tags;
  if (node["tags"]) {
    SW_ASSIGN_OR_RETURN(std::vector<std::string> tags, yaml_.StringList(node["tags"], "tags"));
    table.tags.insert(table.tags.end(), tags.begin(), tags.end());
  }
  SW_RETURN_IF_ERROR(ReadColumns(node["columns"], table.columns, table.tests));
  for (const char* key : {"tests", "data_tests"})
    SW_RETURN_IF_ERROR(ReadTests(node[key], "", table.tests));
  return table;
}

}  // namespace

Status ReadPropertiesFile(const std::filesystem::path& file, const std::string& relative,
                          ProjectFiles& files) {
  SW_ASSIGN_OR_RETURN(YAML::Node root, ReadYamlFile(file, relative));
  try {
    return PropertiesReader(relative, files).Read(root);
  } catch (const YAML::Exception& error) {
    return Status(ErrorCode::kInvalidInput,
                  fmt::format("{}:{}: {}", relative, error.mark.line + 1, error.msg));
  }
}

}  // namespace silverwork::transform
