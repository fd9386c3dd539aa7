// Rendering: a parsed template's tree, walked against a TemplateEnvironment.
//
// Names resolve innermost first: the scopes of the template (its top level,
// for loops, macro calls), then the environment (ref, var, this, dbt's
// context, the project's macros), then Jinja's globals (range, dict,
// namespace); a name none of them has is undefined, and using an undefined
// value is an error naming it. {% set %} writes the innermost scope, as
// Jinja does: a set inside a loop does not leak out of it (namespace() is
// the way out). Macros defined in the file are known from its first line.
// A macro call renders the macro's body in a scope of its own (a file's
// macro also sees the file's top-level names); its value is the text it
// rendered, or what it return()ed. Errors carry "path:line: " of the file
// they happened in.
//
// Functions over their arguments; thread-safe when the environment is.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "transform/template/environment.h"
#include "transform/template/syntax_tree.h"

namespace silverwork::transform {

// The text `nodes` render to; `path` names the file in errors and
// `package` is whose code it is (for resolving macro names).
Result<std::string> RenderNodes(const std::string& path, const std::vector<TemplateNode>& nodes,
                                TemplateEnvironment& environment, std::string_view package = {});

// The value of one expression outside any loop (config() arguments, `to:` in YAML).
Result<TemplateValue> EvaluateExpression(const std::string& path, const Expr& expr,
                                         TemplateEnvironment& environment);

}  // namespace silverwork::transform
