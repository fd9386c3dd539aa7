#include "transform/template/syntax_tree.h"

namespace silverwork::transform {
namespace {

void VisitExpression(const Expr& expr, const std::function<void(const Expr&)>& visit) {
  visit(expr);
  for (const Expr& operand : expr.operands) VisitExpression(operand, visit);
  for (const Expr& value : expr.keyword_values) VisitExpression(value, visit);
}

}  // namespace

void VisitExpressions(const std::vector<TemplateNode>& nodes,
                      const std::function<void(const Expr&)>& visit) {
  for (const TemplateNode& node : nodes) {
    switch (node.kind) {
      case TemplateNode::Kind::kOutput:
      case TemplateNode::Kind::kSet:
      case TemplateNode::Kind::kCallBlock:
      case TemplateNode::Kind::kDo:
        VisitExpression(node.expr, visit);
        break;
      case TemplateNode::Kind::kFor:
        VisitExpression(node.expr, visit);
        for (const Expr& condition : node.conditions) VisitExpression(condition, visit);
        break;
      case TemplateNode::Kind::kIf:
        for (const Expr& condition : node.conditions) VisitExpression(condition, visit);
        break;
      case TemplateNode::Kind::kText:
      case TemplateNode::Kind::kSetBlock:
      case TemplateNode::Kind::kMacro:
      case TemplateNode::Kind::kBreak:
      case TemplateNode::Kind::kContinue:
      case TemplateNode::Kind::kSnapshot:
        break;
    }
    for (const MacroParameter& parameter : node.parameters)
      if (parameter.default_value) VisitExpression(*parameter.default_value, visit);
    for (const auto& body : node.bodies) VisitExpressions(body, visit);
  }
}

void VisitCalls(const std::vector<TemplateNode>& nodes,
                const std::function<void(const Expr&)>& visit) {
  VisitExpressions(nodes, [&](const Expr& expr) {
    if (expr.kind == Expr::Kind::kCall) visit(expr);
  });
}

}  // namespace silverwork::transform
