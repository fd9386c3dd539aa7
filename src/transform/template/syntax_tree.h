// The parsed form of a template: a tree of TemplateNodes (text, {{ output }},
// if, for, set, macro, call, do, snapshot blocks) holding Exprs. The
// statement parser builds it (statement_parser.h), the renderer walks it
// (renderer.h), and the manifest reads its ref()/source()/config() calls and
// the macros it may call without rendering (VisitCalls, VisitExpressions).
//
// Plain values, immutable once parsed; thread-compatible.
#pragma once

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "transform/template/value.h"

namespace silverwork::transform {

// An expression inside {{ }} or {% %}.
struct Expr {
  enum class Kind {
    kLiteral,      // literal (none, bool, number, string)
    kList,         // [operands...] (also a tuple (a, b))
    kDict,         // {operands[0]: operands[1], operands[2]: operands[3], ...}
    kName,         // name
    kAttribute,    // operands[0].name
    kSubscript,    // operands[0][operands[1]]
    kSlice,        // operands[0][operands[1]:operands[2]:operands[3]] (none when left out)
    kCall,         // name(operands..., keyword_names[i]=keyword_values[i]...)
    kMethodCall,   // operands[0].name(operands[1:]..., keywords...)
    kCallValue,    // operands[0](operands[1:]..., keywords...): a call of a call's result
    kFilter,       // operands[0] | name(operands[1:]..., keywords...)
    kTest,         // operands[0] is [not] name(operands[1:]...); `negated` for `is not`
    kNot,          // not operands[0]
    kNegate,       // -operands[0]
    kAnd,          // operands[0] and operands[1]
    kOr,           // operands[0] or operands[1]
    kCompare,      // operands[0] <name> operands[1]; name is ==, !=, <, >, <=, >=, in, not in
    kBinary,       // operands[0] <name> operands[1]; name is + - * / // % ** ~
    kConditional,  // operands[1] if operands[0] else operands[2] (none when no else)
  };
  Kind kind = Kind::kLiteral;
  int line = 0;
  bool negated = false;
  TemplateValue literal;
  std::string name;
  std::vector<Expr> operands;
  std::vector<std::string> keyword_names;
  std::vector<Expr> keyword_values;

  // The arguments of a call, method call, filter or test: operands after
  // the subject (all operands of a kCall).
  std::span<const Expr> Arguments() const {
    return kind == Kind::kCall ? std::span<const Expr>(operands)
                               : std::span<const Expr>(operands).subspan(1);
  }
};

// A parameter of a macro, or of a {% call(x) %} block's caller.
struct MacroParameter {
  std::string name;
  std::optional<Expr> default_value;
};

struct TemplateNode {
  enum class Kind {
    kText,      // text
    kOutput,    // {{ expr }}
    kIf,        // {% if conditions[0] %} bodies[0] {% elif conditions[1] %} ... {% else %} bodies.back()
    kFor,       // {% for targets in expr [if conditions[0]] %} bodies[0] [{% else %} bodies[1]]
    kSet,       // {% set targets = expr %}, or {% set targets[0].text = expr %} (a namespace)
    kSetBlock,  // {% set targets[0] %} bodies[0] {% endset %}
    kMacro,     // {% macro text(parameters) %} bodies[0] {% endmacro %}
    kCallBlock,  // {% call(parameters) expr %} bodies[0] {% endcall %}
    kDo,         // {% do expr %}
    kBreak,      // {% break %}
    kContinue,   // {% continue %}
    kSnapshot,   // {% snapshot text %} bodies[0] {% endsnapshot %}
  };
  Kind kind = Kind::kText;
  int line = 0;
  std::string text;
  Expr expr;
  std::vector<std::string> targets;
  std::vector<Expr> conditions;
  std::vector<MacroParameter> parameters;
  std::vector<std::vector<TemplateNode>> bodies;
  // Macros: whether the body reads `varargs`, `kwargs` or `caller`, which
  // let a call pass more arguments than the parameters (and a caller).
  bool takes_varargs = false;
  bool takes_kwargs = false;
};

struct TemplateParseOptions {
  // {% snapshot name %} ... {% endsnapshot %} blocks are allowed (files under snapshot-paths).
  bool allow_snapshot_blocks = false;
  // ref() and source() take string literals only, so a node's dependencies
  // are known without rendering it. Macro files may pass names (dbt checks
  // those when they render: the node must depend on what they name).
  bool literal_refs_only = true;
};

// Visits every expression in `nodes` in source order, outer before inner,
// including those in branches a render would not take and in macro bodies.
void VisitExpressions(const std::vector<TemplateNode>& nodes,
                      const std::function<void(const Expr&)>& visit);

// Visits every call of a name (kCall) in `nodes`, as VisitExpressions does.
void VisitCalls(const std::vector<TemplateNode>& nodes,
                const std::function<void(const Expr&)>& visit);

}  // namespace silverwork::transform
