// Statement parsing, the second step of parsing a template: the lexer's
// chunks become the node tree. Text and {{ output }} become nodes; {% if %},
// {% for %}, {% set %} blocks, {% macro %}, {% call %} and {% snapshot %}
// open blocks up to their closing tag; {% set x = ... %}, {% do %},
// {% break %} and {% continue %} are single nodes. Any other statement
// ({% include %}, {% extends %}, ...) is an error naming it. Expressions are
// parsed by ExpressionParser. Pure function; thread-safe.
#pragma once

#include <string_view>
#include <vector>

#include "common/status.h"
#include "transform/template/lexer.h"
#include "transform/template/syntax_tree.h"

namespace silverwork::transform {

// The tree of `chunks` (from Lex); `path` names the file in errors.
Result<std::vector<TemplateNode>> ParseStatements(std::string_view path, std::vector<Chunk> chunks,
                                                  const TemplateParseOptions& options);

}  // namespace silverwork::transform
