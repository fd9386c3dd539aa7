#include "transform/template/renderer.h"

#include <fmt/format.h>

#include <algorithm>

#include "transform/template/errors.h"

namespace silverwork::transform {
namespace {

class Renderer {
 public:
  Renderer(const std::string& path, TemplateEnvironment& environment)
      : path_(path), environment_(environment) {}

  Status RenderNodes(const std::vector<TemplateNode>& nodes, std::string& out) {
    for (const TemplateNode& node : nodes) SW_RETURN_IF_ERROR(RenderNode(node, out));
    return Status::Ok();
  }

  Result<TemplateValue> Evaluate(const Expr& expr) {
    switch (expr.kind) {
      case Expr::Kind::kLiteral:
        return expr.literal;
      case Expr::Kind::kList: {
        TemplateValue::List items;
        items.reserve(expr.operands.size());
        for (const Expr& operand : expr.operands) {
          SW_ASSIGN_OR_RETURN(TemplateValue item, Evaluate(operand));
          items.push_back(std::move(item));
        }
        return TemplateValue(std::move(items));
      }
      case Expr::Kind::kName:
        return LookUp(expr);
      case Expr::Kind::kAttribute:
        return LoopAttribute(expr);
      case Expr::Kind::kCall:
        return Call(expr);
      case Expr::Kind::kNot: {
        SW_ASSIGN_OR_RETURN(TemplateValue operand, Evaluate(expr.operands[0]));
        return TemplateValue(!operand.Truthy());
      }
      case Expr::Kind::kAnd:
      case Expr::Kind::kOr: {
        SW_ASSIGN_OR_RETURN(TemplateValue left, Evaluate(expr.operands[0]));
        bool short_circuit = expr.kind == Expr::Kind::kOr ? left.Truthy() : !left.Truthy();
        if (short_circuit) return left;
        return Evaluate(expr.operands[1]);
      }
      case Expr::Kind::kCompare:
        return Compare(expr);
    }
    return LocatedError(path_, expr.line, "internal: unknown expression kind");
  }

 private:
  struct LoopFrame {
    const std::string* variable;
    const TemplateValue* value;
    int64_t index0;
    int64_t length;
  };

  Status RenderNode(const TemplateNode& node, std::string& out) {
    switch (node.kind) {
      case TemplateNode::Kind::kText:
        out += node.text;
        return Status::Ok();
      case TemplateNode::Kind::kOutput: {
        SW_ASSIGN_OR_RETURN(TemplateValue value, Evaluate(node.expr));
        out += value.Render();
        return Status::Ok();
      }
      case TemplateNode::Kind::kIf:
        for (size_t branch = 0; branch < node.bodies.size(); ++branch) {
          if (branch < node.conditions.size()) {
            SW_ASSIGN_OR_RETURN(TemplateValue condition, Evaluate(node.conditions[branch]));
            if (!condition.Truthy()) continue;
          }
          return RenderNodes(node.bodies[branch], out);
        }
        return Status::Ok();
      case TemplateNode::Kind::kFor:
        return RenderFor(node, out);
      case TemplateNode::Kind::kSnapshot:
        return RenderNodes(node.bodies[0], out);
    }
    return Status::Ok();
  }

  Status RenderFor(const TemplateNode& node, std::string& out) {
    SW_ASSIGN_OR_RETURN(TemplateValue iterable, Evaluate(node.expr));
    if (!iterable.is_list())
      return LocatedError(
          path_, node.line,
          fmt::format("'for' needs a list, got {} '{}'", iterable.TypeName(), iterable.Render()));
    const auto& items = iterable.as_list();
    for (size_t index = 0; index < items.size(); ++index) {
      frames_.push_back({&node.text, &items[index], static_cast<int64_t>(index),
                         static_cast<int64_t>(items.size())});
      Status status = RenderNodes(node.bodies[0], out);
      frames_.pop_back();
      SW_RETURN_IF_ERROR(status);
    }
    return Status::Ok();
  }

  Result<TemplateValue> LookUp(const Expr& expr) {
    if (expr.name == "this") return WithLocation(environment_.This(), expr.line);
    for (auto frame = frames_.rbegin(); frame != frames_.rend(); ++frame)
      if (*frame->variable == expr.name) return *frame->value;
    return LocatedError(path_, expr.line, fmt::format("'{}' is not defined here", expr.name));
  }

  Result<TemplateValue> LoopAttribute(const Expr& expr) {
    if (frames_.empty()) return LocatedError(path_, expr.line, "'loop' used outside a for loop");
    const LoopFrame& frame = frames_.back();
    if (expr.name == "index") return TemplateValue(frame.index0 + 1);
    if (expr.name == "index0") return TemplateValue(frame.index0);
    if (expr.name == "first") return TemplateValue(frame.index0 == 0);
    if (expr.name == "last") return TemplateValue(frame.index0 + 1 == frame.length);
    return TemplateValue(frame.length);
  }

  Result<TemplateValue> Call(const Expr& expr) {
    CallArguments args;
    args.positional.reserve(expr.operands.size());
    for (const Expr& operand : expr.operands) {
      SW_ASSIGN_OR_RETURN(TemplateValue value, Evaluate(operand));
      args.positional.push_back(std::move(value));
    }
    for (size_t i = 0; i < expr.keyword_names.size(); ++i) {
      SW_ASSIGN_OR_RETURN(TemplateValue value, Evaluate(expr.keyword_values[i]));
      args.keyword.emplace_back(expr.keyword_names[i], std::move(value));
    }
    return WithLocation(environment_.Call(expr.name, args), expr.line);
  }

  Result<TemplateValue> Compare(const Expr& expr) {
    SW_ASSIGN_OR_RETURN(TemplateValue left, Evaluate(expr.operands[0]));
    SW_ASSIGN_OR_RETURN(TemplateValue right, Evaluate(expr.operands[1]));
    const std::string& op = expr.name;
    if (op == "==") return TemplateValue(left == right);
    if (op == "!=") return TemplateValue(!(left == right));
    if (op == "in" || op == "not in") {
      bool found = false;
      if (right.is_list()) {
        const auto& items = right.as_list();
        found = std::find(items.begin(), items.end(), left) != items.end();
      } else if (right.is_string() && left.is_string()) {
        found = right.as_string().find(left.as_string()) != std::string::npos;
      } else {
        return LocatedError(
            path_, expr.line,
            fmt::format("'{}' needs a list or string on the right, got {}", op, right.TypeName()));
      }
      return TemplateValue(op == "in" ? found : !found);
    }
    int order = 0;
    if (left.is_number() && right.is_number()) {
      order = left.as_number() < right.as_number() ? -1 : (left.as_number() > right.as_number());
    } else if (left.is_string() && right.is_string()) {
      order = left.as_string().compare(right.as_string());
    } else {
      return LocatedError(
          path_, expr.line,
          fmt::format("cannot compare {} '{}' with {} '{}' using '{}'", left.TypeName(),
                      left.Render(), right.TypeName(), right.Render(), op));
    }
    if (op == "<") return TemplateValue(order < 0);
    if (op == ">") return TemplateValue(order > 0);
    if (op == "<=") return TemplateValue(order <= 0);
    return TemplateValue(order >= 0);
  }

  Result<TemplateValue> WithLocation(Result<TemplateValue> result, int line) const {
    if (result.ok()) return result;
    const Status& status = result.status();
    return Status(status.code(), fmt::format("{}:{}: {}", path_, line, status.message()),
                  status.hint());
  }

  const std::string& path_;
  TemplateEnvironment& environment_;
  std::vector<LoopFrame> frames_;
};

}  // namespace

Result<std::string> RenderNodes(const std::string& path, const std::vector<TemplateNode>& nodes,
                                TemplateEnvironment& environment) {
  std::string out;
  Renderer renderer(path, environment);
  SW_RETURN_IF_ERROR(renderer.RenderNodes(nodes, out));
  return out;
}

Result<TemplateValue> EvaluateExpression(const std::string& path, const Expr& expr,
                                         TemplateEnvironment& environment) {
  return Renderer(path, environment).Evaluate(expr);
}

}  // namespace silverwork::transform
