// The parsed form of a template: a tree of TemplateNodes (text, {{ output }},
// if, for, snapshot blocks) holding Exprs. The statement parser builds it
// (statement_parser.h), the renderer walks it (renderer.h), and the manifest
// reads its ref()/source()/config() calls without rendering (VisitCalls).
//
// Plain values, immutable once parsed; thread-compatible.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "transform/template/value.h"

namespace silverwork::transform {

// An expression inside {{ }} or {% %}.
struct Expr {
  enum class Kind {
    kLiteral,    // literal
    kList,       // [operands...]
    kName,       // name: a loop variable, `loop` or `this`
    kAttribute,  // operands[0].name, only on `loop`
    kCall,       // name(operands..., keyword_names[i]=keyword_values[i]...)
    kNot,        // not operands[0]
    kAnd,        // operands[0] and operands[1]
    kOr,         // operands[0] or operands[1]
    kCompare,    // operands[0] <name> operands[1]; name is ==, !=, <, >, <=, >=, in, not in
  };
  Kind kind = Kind::kLiteral;
  int line = 0;
  TemplateValue literal;
  std::string name;
  std::vector<Expr> operands;
  std::vector<std::string> keyword_names;
  std::vector<Expr> keyword_values;
};

struct TemplateNode {
  enum class Kind {
    kText,    // text
    kOutput,  // {{ expr }}
    kIf,   // {% if conditions[0] %} bodies[0] {% elif conditions[1] %} ... {% else %} bodies.back()
    kFor,  // {% for text in expr %} bodies[0] {% endfor %}
    kSnapshot,  // {% snapshot text %} bodies[0] {% endsnapshot %}
  };
  Kind kind = Kind::kText;
  int line = 0;
  std::string text;
  Expr expr;
  std::vector<Expr> conditions;
  std::vector<std::vector<TemplateNode>> bodies;
};

struct TemplateParseOptions {
  // {% snapshot name %} ... {% endsnapshot %} blocks are allowed (files under snapshots/).
  bool allow_snapshot_blocks = false;
};

// Visits every function call in `nodes` in source order, including calls
// inside branches a render would not take and calls nested in arguments.
void VisitCalls(const std::vector<TemplateNode>& nodes,
                const std::function<void(const Expr&)>& visit);

}  // namespace silverwork::transform
