#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <set>

#include "transform/project/dependency_graph.h"
#include "transform/project/manifest.h"
#include "transform/project/node_config.h"
#include "transform/project/suggest.h"

namespace silverwork::transform {
namespace {

std::string SanitizeForId(std::string_view text) {
  std::string out;
  for (char c : text) out += std::isalnum(static_cast<unsigned char>(c)) || c == '_' ? c : '_';
  return out;
}

}  // namespace

// Manifest::Build in its steps: a node per source table, seed and .sql file
// (configs resolved, disabled ones left out), their dependencies from the
// templates' ref() and source() calls, a node per generic test, then the
// graph checked for cycles and ordered.
class ManifestBuilder {
 public:
  ManifestBuilder(const ProjectFiles& files, const VarMap& vars) : files_(files), vars_(vars) {
    manifest_.project_name_ = files.name;
    manifest_.macros_ = files.macros.get();
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
    SW_RETURN_IF_ERROR(CheckForCycles(manifest_.nodes_));
    manifest_.order_ = TopologicalOrder(manifest_.nodes_);
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

  Node& NewNode(ResourceKind kind, std::string name, std::string path,
                const std::string& package = {}) {
    Node node;
    node.index = static_cast<int>(manifest_.nodes_.size());
    node.kind = kind;
    node.package = package.empty() ? files_.name : package;
    node.unique_id = fmt::format("{}.{}.{}", ResourceKindName(kind), node.package, name);
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

  // Creates a node for a seed or .sql file of `package` (the project or a
  // local package: its folder configs are under `models: <package>:`) unless
  // its config disables it.
  Status AddConfiguredNode(ResourceKind kind, const std::string& name, const std::string& path,
                           const std::vector<std::string>& folders, const Template* body,
                           const std::string& package) {
    MergedConfig merged = MergeFolderConfigs(FolderTree(kind), package, folders, name);
    const ResourceProperties* properties = PropertiesFor(kind, name);
    if (properties) merged.AddLayer(properties->config);
    if (body) SW_RETURN_IF_ERROR(AddInFileConfig(kind, *body, vars_, merged));
    SW_ASSIGN_OR_RETURN(bool enabled, ConfigBool(merged, "enabled", true));
    if (!enabled) {
      disabled_.insert(name);
      return Status::Ok();
    }
    SW_ASSIGN_OR_RETURN(NodeConfig config, InterpretConfig(kind, merged, path, name));
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
    Node& node = NewNode(kind, name, path, package);
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
    return AddConfiguredNode(ResourceKind::kSeed, seed.name, seed.path, seed.folders, nullptr,
                             files_.name);
  }

  Status AddSqlNode(ResourceKind kind, const SqlFile& file) {
    return AddConfiguredNode(kind, file.name, file.path, file.folders, &file.body,
                             file.package.empty() ? files_.name : file.package);
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
      // ref('name') or ref('package', 'name').
      const std::string& name = call.operands.back().literal.as_string();
      int index = manifest_.FindRef(name);
      if (index >= 0 && call.operands.size() == 2 &&
          manifest_.node(index).package != call.operands[0].literal.as_string())
        return Status(ErrorCode::kNotFound,
                      fmt::format("{}: ref('{}', '{}'): '{}' is {}'s, not {}'s", where,
                                  call.operands[0].literal.as_string(), name, name,
                                  manifest_.node(index).package,
                                  call.operands[0].literal.as_string()),
                      fmt::format("write ref('{}') or ref('{}', '{}')", name,
                                  manifest_.node(index).package, name));
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

    // A test of a package's model is the package's, as in dbt.
    const std::string package = tested.package.empty() ? files_.name : tested.package;
    MergedConfig merged = MergeFolderConfigs(files_.test_folders, package, {}, unique_name);
    merged.AddLayer(spec.config);
    SW_ASSIGN_OR_RETURN(bool enabled, ConfigBool(merged, "enabled", true));
    if (!enabled) return Status::Ok();
    SW_ASSIGN_OR_RETURN(NodeConfig config,
                        InterpretConfig(ResourceKind::kTest, merged, spec.path, unique_name));
    config.tags.insert(config.tags.end(), tested.config.tags.begin(), tested.config.tags.end());

    Node& node = NewNode(ResourceKind::kTest, unique_name, spec.path, package);
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

}  // namespace silverwork::transform
