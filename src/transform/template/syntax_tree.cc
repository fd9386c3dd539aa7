#include "transform/template/syntax_tree.h"

namespace silverwork::transform {
namespace {

void VisitCalls(const Expr& expr, const std::function<void(const Expr&)>& visit) {
  if (expr.kind == Expr::Kind::kCall) visit(expr);
  for (const Expr& operand : expr.operands) VisitCalls(operand, visit);
  for (const Expr& value : expr.keyword_values) VisitCalls(value, visit);
}

}  // namespace

void VisitCalls(const std::vector<TemplateNode>& nodes,
                const std::function<void(const Expr&)>& visit) {
  for (const TemplateNode& node : nodes) {
    switch (node.kind) {
      case TemplateNode::Kind::kText:
        break;
      case TemplateNode::Kind::kOutput:
      case TemplateNode::Kind::kFor:
        VisitCalls(node.expr, visit);
        break;
      case TemplateNode::Kind::kIf:
        for (const Expr& condition : node.conditions) VisitCalls(condition, visit);
        break;
      case TemplateNode::Kind::kSnapshot:
        break;
    }
    for (const auto& body : node.bodies) VisitCalls(body, visit);
  }
}

}  // namespace silverwork::transform
