#include "transform/compile/compiler.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "transform/data_tests/generic_tests.h"
#include "transform/template/natives.h"

namespace silverwork::transform {
namespace {

// Skips whitespace and SQL comments from `pos`.
size_t SkipTrivia(const std::string& sql, size_t pos) {
  while (pos < sql.size()) {
    if (std::isspace(static_cast<unsigned char>(sql[pos]))) {
      ++pos;
    } else if (sql.compare(pos, 2, "--") == 0) {
      size_t end = sql.find('\n', pos);
      pos = end == std::string::npos ? sql.size() : end + 1;
    } else if (sql.compare(pos, 2, "/*") == 0) {
      size_t end = sql.find("*/", pos + 2);
      pos = end == std::string::npos ? sql.size() : end + 2;
    } else {
      break;
    }
  }
  return pos;
}

// True when `sql` has the keyword `word` (case-insensitive, whole word) at `pos`.
bool KeywordAt(const std::string& sql, size_t pos, std::string_view word) {
  if (pos + word.size() > sql.size()) return false;
  for (size_t i = 0; i < word.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(sql[pos + i])) != word[i]) return false;
  size_t end = pos + word.size();
  return end == sql.size() ||
         !(std::isalnum(static_cast<unsigned char>(sql[end])) || sql[end] == '_');
}

// The template environment of one node's render.
class NodeEnvironment final : public TemplateEnvironment {
 public:
  NodeEnvironment(const Compiler& compiler, const Manifest& manifest, const Node& node,
                  const VarMap& vars, const DbtContext& context, bool is_incremental,
                  std::vector<int>& ephemerals)
      : compiler_(compiler),
        context_(context),
        manifest_(manifest),
        node_(node),
        vars_(vars),
        is_incremental_(is_incremental),
        ephemerals_(ephemerals) {}

  Result<std::optional<TemplateValue>> LookUp(std::string_view name,
                                              std::string_view package) override {
    if (name == "this") {
      if (node_.kind == ResourceKind::kTest)
        return Status(ErrorCode::kInvalidInput, "'this' has no meaning in a test");
      return std::optional(TemplateValue(compiler_.RelationSql(node_)));
    }
    if (auto function = Function(name)) return function;
    if (name == "builtins")
      return std::optional(TemplateValue::FromDict(
          {{"ref", *Function("ref")}, {"source", *Function("source")}, {"config", *Function("config")}}));
    return context_.LookUp(name, package);
  }

 private:
  // The function of the node's own (ref, source, config, var,
  // is_incremental) named `name`, or nullopt.
  std::optional<TemplateValue> Function(std::string_view name) {
    if (name == "ref")
      return MakeFunction("ref", [this](const CallArguments& args) {
        // ref('name') or ref('package', 'name'); literals in the node itself.
        if (args.positional.empty() || !args.positional.back().is_string())
          return Result<TemplateValue>(
              Status(ErrorCode::kInvalidInput, "ref() takes the name of a model, seed or snapshot"));
        return Ref(args.positional.back().as_string());
      });
    if (name == "source")
      return MakeFunction("source", [this](const CallArguments& args) -> Result<TemplateValue> {
        if (!args.positional[0].is_string() || !args.positional[1].is_string())
          return Status(ErrorCode::kInvalidInput, "source() takes two strings");
        int index =
            manifest_.FindSource(args.positional[0].as_string(), args.positional[1].as_string());
        SW_RETURN_IF_ERROR(CheckParent(index, fmt::format("source('{}', '{}')",
                                                          args.positional[0].as_string(),
                                                          args.positional[1].as_string())));
        return TemplateValue(compiler_.RelationSql(manifest_.node(index)));
      });
    if (name == "config")
      return MakeFunction("config", [](const CallArguments&) -> Result<TemplateValue> {
        return TemplateValue(std::string());
      });
    if (name == "var")
      return MakeFunction("var", [this](const CallArguments& args) { return LookUpVar(vars_, args); });
    if (name == "is_incremental")
      return MakeFunction("is_incremental", [this](const CallArguments&) -> Result<TemplateValue> {
        return TemplateValue(is_incremental_);
      });
    return std::nullopt;
  }

  // `index` (of what `call` names) is a node this node depends on.
  Status CheckParent(int index, const std::string& call) const {
    if (index < 0)
      return Status(ErrorCode::kInvalidInput, fmt::format("{} names nothing in the project", call));
    if (std::binary_search(node_.parents.begin(), node_.parents.end(), index)) return Status::Ok();
    return Status(ErrorCode::kInvalidInput,
                  fmt::format("{} is rendered from a macro, but {} does not depend on it", call,
                              node_.name),
                  fmt::format("add the line '-- depends_on: {{{{ {} }}}}' to {}, as dbt asks",
                              call, node_.path));
  }

  Result<TemplateValue> Ref(const std::string& name) {
    // The manifest resolved the node's own refs when it was built; a macro's
    // (or builtins.ref's) must name one of them, or the order would be wrong.
    SW_RETURN_IF_ERROR(CheckParent(manifest_.FindRef(name), fmt::format("ref('{}')", name)));
    const Node& target = manifest_.node(manifest_.FindRef(name));
    if (IsEphemeral(target) &&
        std::find(ephemerals_.begin(), ephemerals_.end(), target.index) == ephemerals_.end())
      ephemerals_.push_back(target.index);
    return TemplateValue(compiler_.RelationSql(target));
  }

  const Compiler& compiler_;
  const DbtContext& context_;
  const Manifest& manifest_;
  const Node& node_;
  const VarMap& vars_;
  bool is_incremental_;
  std::vector<int>& ephemerals_;
};

}  // namespace

std::string TrimStatement(std::string sql) {
  while (!sql.empty() &&
         (std::isspace(static_cast<unsigned char>(sql.back())) || sql.back() == ';'))
    sql.pop_back();
  return sql;
}

std::string InjectCtes(const std::string& sql, const std::string& ctes) {
  size_t start = SkipTrivia(sql, 0);
  if (!KeywordAt(sql, start, "with")) return "with " + ctes + "\n" + sql;
  size_t after = SkipTrivia(sql, start + 4);
  if (KeywordAt(sql, after, "recursive")) after = SkipTrivia(sql, after + 9);
  return sql.substr(0, after) + ctes + ",\n" + sql.substr(after);
}

namespace {

DbtContextValues WithEngine(DbtContextValues values, const EngineTraits& traits) {
  if (values.target_type.empty()) values.target_type = std::string(traits.engine());
  return values;
}

}  // namespace

Compiler::Compiler(const Manifest& manifest, const EngineTraits& traits, const VarMap& vars,
                   DbtContextValues context)
    : manifest_(manifest),
      dialect_(traits.dialect()),
      vars_(vars),
      context_(WithEngine(std::move(context), traits), manifest.macros()) {}

std::string Compiler::RelationSql(const Node& node) const {
  if (IsEphemeral(node)) return dialect_.QuoteIdentifier(std::string(kEphemeralPrefix) + node.name);
  if (!node.schema.empty())
    return dialect_.QuoteIdentifier(node.schema) + "." + dialect_.QuoteIdentifier(node.relation);
  return dialect_.QuoteIdentifier(node.relation);
}

Result<std::string> Compiler::Render(const Node& node, bool is_incremental,
                                     std::vector<int>& ephemerals) {
  NodeEnvironment environment(*this, manifest_, node, vars_, context_, is_incremental, ephemerals);
  SW_ASSIGN_OR_RETURN(std::string sql, node.body->Render(environment, node.package));
  return TrimStatement(std::move(sql));
}

Result<std::string> Compiler::Compile(const Node& node, bool is_incremental) {
  std::vector<int> ephemerals;
  SW_ASSIGN_OR_RETURN(std::string sql, Render(node, is_incremental, ephemerals));
  if (ephemerals.empty()) return sql;
  return InlineEphemerals(sql, ephemerals);
}

// Depth-first: an ephemeral's own ephemerals come before it. The manifest
// has no cycles, so `visiting` only guards against a bug.
Status Compiler::CollectEphemeral(int index, std::vector<int>& ordered,
                                  std::vector<int>& visiting) {
  if (std::find(ordered.begin(), ordered.end(), index) != ordered.end()) return Status::Ok();
  if (std::find(visiting.begin(), visiting.end(), index) != visiting.end())
    return Status(ErrorCode::kInternal, "ephemeral models reference each other in a cycle");
  visiting.push_back(index);
  auto cached = ephemeral_cache_.find(index);
  if (cached == ephemeral_cache_.end()) {
    RenderedEphemeral rendered;
    SW_ASSIGN_OR_RETURN(rendered.sql, Render(manifest_.node(index), false, rendered.ephemerals));
    cached = ephemeral_cache_.emplace(index, std::move(rendered)).first;
  }
  for (int inner : cached->second.ephemerals)
    SW_RETURN_IF_ERROR(CollectEphemeral(inner, ordered, visiting));
  visiting.pop_back();
  ordered.push_back(index);
  return Status::Ok();
}

Result<std::string> Compiler::InlineEphemerals(const std::string& sql,
                                               const std::vector<int>& ephemerals) {
  std::vector<int> ordered;
  std::vector<int> visiting;
  for (int index : ephemerals) SW_RETURN_IF_ERROR(CollectEphemeral(index, ordered, visiting));
  std::string ctes;
  for (int index : ordered) {
    if (!ctes.empty()) ctes += ",\n";
    ctes += fmt::format("{} as (\n{}\n)", RelationSql(manifest_.node(index)),
                        ephemeral_cache_.at(index).sql);
  }
  return InjectCtes(sql, ctes);
}

Result<std::string> Compiler::CompileGenericTest(const Node& node, std::string_view increment) {
  const GenericTest& test = *node.generic_test;
  const Node& tested = manifest_.node(node.tested.front());
  std::vector<int> ephemerals;
  if (IsEphemeral(tested)) ephemerals.push_back(tested.index);
  // The patterns alias what they read, so a `where` filter is a bare subquery.
  auto filtered = [&](std::string relation) {
    if (node.config.where.empty()) return relation;
    return fmt::format("(select * from {} where {})", relation, node.config.where);
  };
  std::string relation = filtered(RelationSql(tested));
  std::string increment_sql = increment.empty() ? std::string() : filtered(std::string(increment));
  std::vector<std::string> values;
  for (const TemplateValue& value : test.values) {
    bool bare = !test.quote_values && value.is_number();
    values.push_back(bare ? value.Render() : dialect_.QuoteString(value.Render()));
  }
  std::string parent;
  if (test.to_node >= 0) {
    const Node& parent_node = manifest_.node(test.to_node);
    if (IsEphemeral(parent_node)) ephemerals.push_back(parent_node.index);
    parent = RelationSql(parent_node);
  }
  const GenericTestDefinition* definition = FindGenericTest(test.kind);
  if (!definition)
    return Status(ErrorCode::kInternal, fmt::format("unknown generic test '{}'", test.kind));
  std::string_view pattern = definition->failing_rows_sql;
  if (!increment.empty()) {
    if (definition->failing_rows_in_increment_sql.empty()) {
      relation = increment_sql;
    } else {
      pattern = definition->failing_rows_in_increment_sql;
    }
  }
  std::string sql = fmt::format(fmt::runtime(pattern), fmt::arg("column", test.column),
                                fmt::arg("model", relation), fmt::arg("increment", increment_sql),
                                fmt::arg("values", fmt::join(values, ", ")),
                                fmt::arg("parent", parent), fmt::arg("field", test.field));
  if (ephemerals.empty()) return sql;
  return InlineEphemerals(sql, ephemerals);
}

}  // namespace silverwork::transform
