#include "transform/template/macros.h"

#include <fmt/format.h>

namespace silverwork::transform {

Status MacroRegistry::AddFile(const std::string& package, const std::string& path,
                              const std::vector<TemplateNode>& nodes) {
  auto& macros = packages_[package];
  for (const TemplateNode& node : nodes) {
    if (node.kind != TemplateNode::Kind::kMacro) continue;
    MacroDefinition definition{node.text, package, path, &node, false};
    auto [existing, inserted] = macros.try_emplace(
        node.text, std::make_shared<const MacroObject>(std::move(definition)));
    if (!inserted) {
      const MacroDefinition& other = *existing->second.as_object().AsMacro();
      return Status(ErrorCode::kInvalidInput,
                    fmt::format("{}:{}: macro '{}' is defined twice in {} (also in {}:{})", path,
                                node.line, node.text, package, other.path, other.node->line),
                    "rename or remove one of them");
    }
  }
  return Status::Ok();
}

Status MacroRegistry::AddTemplate(const std::string& package, Template file) {
  files_.push_back(std::make_unique<const Template>(std::move(file)));
  const Template& kept = *files_.back();
  return AddFile(package, kept.path(), kept.nodes());
}

const TemplateValue* MacroRegistry::Find(std::string_view package, std::string_view name) const {
  auto found_package = packages_.find(package);
  if (found_package == packages_.end()) return nullptr;
  auto found = found_package->second.find(name);
  return found == found_package->second.end() ? nullptr : &found->second;
}

const TemplateValue* MacroRegistry::Resolve(std::string_view name, std::string_view package) const {
  if (const TemplateValue* own = Find(package, name)) return own;
  if (package != root_package_)
    if (const TemplateValue* root = Find(root_package_, name)) return root;
  return package == fallback_package_ ? nullptr : Find(fallback_package_, name);
}

std::vector<std::string> MacroRegistry::Packages() const {
  std::vector<std::string> names{root_package_};
  for (const auto& [name, macros] : packages_)
    if (name != root_package_ && name != fallback_package_) names.push_back(name);
  if (HasPackage(fallback_package_)) names.push_back(fallback_package_);
  return names;
}

std::vector<const MacroDefinition*> MacroRegistry::All() const {
  std::vector<const MacroDefinition*> all;
  for (const std::string& package : Packages()) {
    auto found = packages_.find(package);
    if (found == packages_.end()) continue;
    for (const auto& [name, macro] : found->second) all.push_back(macro.as_object().AsMacro());
  }
  return all;
}

}  // namespace silverwork::transform
