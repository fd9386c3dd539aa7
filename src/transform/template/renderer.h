// Rendering: a parsed template's tree, walked against a TemplateEnvironment
// that resolves its function calls and `this`. Text is copied, {{ }} writes
// the value's rendering, if/for choose and repeat their bodies; errors from
// the environment get the template's "path:line: " in front.
// Functions over their arguments; thread-safe when the environment is.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "transform/template/environment.h"
#include "transform/template/syntax_tree.h"

namespace silverwork::transform {

// The text `nodes` render to; `path` names the file in errors.
Result<std::string> RenderNodes(const std::string& path, const std::vector<TemplateNode>& nodes,
                                TemplateEnvironment& environment);

// The value of one expression outside any loop (config() arguments, `to:` in YAML).
Result<TemplateValue> EvaluateExpression(const std::string& path, const Expr& expr,
                                         TemplateEnvironment& environment);

}  // namespace silverwork::transform
