// Template: the Jinja subset that silverwork models, tests, snapshots and
// macros are written in (the full list is in docs/transform.md).
//
// A file is parsed once into a tree (Template::Parse) and rendered any number
// of times against a TemplateEnvironment that supplies what the file does not
// define itself (ref, source, config, var, `this`, dbt's context, the
// project's macros). Parsing is strict: a construct outside the subset, an
// unknown filter or test, a wrong number of arguments to ref() — is an error
// naming the file, line and construct, never passed through; names are
// resolved when rendering, and an undefined one is an error then. Because
// ref() and source() only accept string literals, a caller can read a file's
// dependencies from the tree without rendering it (Template::ForEachCall).
//
// Parsing runs in steps, each in its own file: lexer.h (source to chunks of
// tokens), statement_parser.h and expression_parser.h (chunks to the tree of
// syntax_tree.h, checked against functions.h, filters.h and predicates.h);
// renderer.h walks the tree.
//
// Templates are immutable values after parsing; rendering the same Template
// from several threads is safe if each uses its own environment.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "transform/template/environment.h"
#include "transform/template/syntax_tree.h"
#include "transform/template/value.h"

namespace silverwork::transform {

class Template {
 public:
  Template() = default;

  // Parses `source`. `path` (relative to the project) names the file in errors.
  static Result<Template> Parse(std::string path, std::string_view source,
                                const TemplateParseOptions& options = {});

  // A template whose nodes are `nodes` (used to split snapshot blocks out of a file).
  Template(std::string path, std::vector<TemplateNode> nodes)
      : path_(std::move(path)), nodes_(std::move(nodes)) {}

  const std::string& path() const { return path_; }
  const std::vector<TemplateNode>& nodes() const { return nodes_; }

  // Visits every function call in source order, including calls inside
  // branches that a render would not take and calls nested in arguments.
  void ForEachCall(const std::function<void(const Expr&)>& visit) const;

  // Renders against `environment`; `package` is the project or package
  // whose file this is (its macros come first), empty for the root project.
  Result<std::string> Render(TemplateEnvironment& environment,
                             std::string_view package = {}) const;

  // Evaluates a standalone expression (config arguments, `to: ref('x')` in YAML).
  Result<TemplateValue> Evaluate(const Expr& expr, TemplateEnvironment& environment) const;

 private:
  std::string path_;
  std::vector<TemplateNode> nodes_;
};

// Parses one expression such as "ref('customers')" written in a YAML file.
Result<Expr> ParseExpression(std::string_view path, int line, std::string_view text);

}  // namespace silverwork::transform
