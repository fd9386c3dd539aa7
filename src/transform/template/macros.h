// Macros: {% macro name(params) %} ... {% endmacro %} blocks, read from the
// project's macro-paths and its packages' (MacroRegistry, by package), or
// from the file being rendered. A macro is a value (MacroObject) the
// renderer calls: its arguments bound to the parameters, its body rendered
// in a scope of its own, and its result the rendered text or what it
// return()s.
//
// A bare name called from a package's macro resolves in that package
// first, then in the root project, then in the fallback package (the
// built-in macros every project has); `package.macro()` names one package.
//
// A registry is filled while the project loads and read-only afterwards;
// thread-safe for reads. It owns the macro files it was given (AddTemplate);
// with AddFile, the nodes must outlive the registry.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "transform/template/syntax_tree.h"
#include "transform/template/template.h"
#include "transform/template/value.h"

namespace silverwork::transform {

struct MacroDefinition {
  std::string name;
  std::string package;  // the project or package whose macro it is
  std::string path;     // the file that defines it, relative to its project
  const TemplateNode* node = nullptr;  // kMacro
  // Defined in the file being rendered (a model's own macro): its body
  // sees that file's top-level variables.
  bool file_local = false;
};

class MacroObject final : public TemplateObject {
 public:
  explicit MacroObject(MacroDefinition definition) : definition_(std::move(definition)) {}
  std::string TypeName() const override { return "macro"; }
  bool IsCallable() const override { return true; }
  std::string Render() const override { return "<macro " + definition_.name + ">"; }
  const MacroDefinition* AsMacro() const override { return &definition_; }

 private:
  MacroDefinition definition_;
};

class MacroRegistry {
 public:
  // `fallback_package` (may be empty: none) is searched after the root
  // project, and listed last.
  explicit MacroRegistry(std::string root_package, std::string fallback_package = {})
      : root_package_(std::move(root_package)), fallback_package_(std::move(fallback_package)) {}

  // Adds every top-level macro of `nodes` (a file of `package` at `path`);
  // text and other statements around them are ignored, as dbt does. An
  // error when the package already has a macro of that name.
  Status AddFile(const std::string& package, const std::string& path,
                 const std::vector<TemplateNode>& nodes);
  // Adds the macros of a parsed macro file of `package`, keeping the file.
  Status AddTemplate(const std::string& package, Template file);
  // Makes `package` known even when it has no macros yet.
  void AddPackage(const std::string& package) { packages_[package]; }

  // The macro `name` of `package`, as a value, or null.
  const TemplateValue* Find(std::string_view package, std::string_view name) const;
  // A bare name called from code of `package`: its macro, else the root
  // project's, else the fallback package's; null when none has one.
  const TemplateValue* Resolve(std::string_view name, std::string_view package) const;

  bool HasPackage(std::string_view package) const { return packages_.count(package) > 0; }
  const std::string& root_package() const { return root_package_; }
  // Package names, the root project first, the fallback package last.
  std::vector<std::string> Packages() const;
  // Every macro, package by package.
  std::vector<const MacroDefinition*> All() const;

 private:
  std::string root_package_;
  std::string fallback_package_;
  std::vector<std::unique_ptr<const Template>> files_;
  std::map<std::string, std::map<std::string, TemplateValue, std::less<>>, std::less<>> packages_;
};

}  // namespace silverwork::transform
