#include "transform/template/renderer.h"

#include <fmt/format.h>

#include <map>
#include <memory>
#include <optional>

#include "transform/template/errors.h"
#include "transform/template/filters.h"
#include "transform/template/macros.h"
#include "transform/template/methods.h"
#include "transform/template/natives.h"
#include "transform/template/operations.h"
#include "transform/template/predicates.h"

namespace silverwork::transform {
namespace {

// Deeper than any real project's macros nest; deeper means runaway recursion.
constexpr int kMaxCallDepth = 100;

using Scope = std::map<std::string, TemplateValue, std::less<>>;
using ScopeChain = std::vector<std::shared_ptr<Scope>>;

// The body of a {% call %} block, handed to the macro it calls as `caller`:
// rendered in the scopes of the block's place, with the block's parameters.
class CallerObject final : public TemplateObject {
 public:
  CallerObject(const TemplateNode& block, ScopeChain scopes, std::string path, std::string package)
      : block_(block), scopes_(std::move(scopes)), path_(std::move(path)),
        package_(std::move(package)) {}
  std::string TypeName() const override { return "macro"; }
  bool IsCallable() const override { return true; }
  std::string Render() const override { return "<macro caller>"; }

  const TemplateNode& block() const { return block_; }
  const ScopeChain& scopes() const { return scopes_; }
  const std::string& path() const { return path_; }
  const std::string& package() const { return package_; }

 private:
  const TemplateNode& block_;
  ScopeChain scopes_;
  std::string path_;
  std::string package_;
};

class Renderer {
 public:
  explicit Renderer(TemplateEnvironment& environment)
      : environment_(environment), file_scope_(std::make_shared<Scope>()) {
    scopes_.push_back(file_scope_);
  }

  Status RenderFile(const std::string& path, std::string_view package,
                    const std::vector<TemplateNode>& nodes, std::string& out) {
    path_ = path;
    package_ = package;
    // A file's macros are known from its first line, as Jinja compiles them.
    for (const TemplateNode& node : nodes)
      if (node.kind == TemplateNode::Kind::kMacro)
        (*file_scope_)[node.text] = TemplateValue(std::make_shared<const MacroObject>(
            MacroDefinition{node.text, package_, path_, &node, /*file_local=*/true}));
    return RenderNodes(nodes, out);
  }

  Result<TemplateValue> EvaluateStandalone(const std::string& path, const Expr& expr) {
    path_ = path;
    return Evaluate(expr);
  }

 private:
  // How rendering leaves a list of nodes: at its end, or early for a
  // {% break %}, {% continue %} or return().
  enum class Flow { kNormal, kBreak, kContinue, kReturn };

  Status Locate(const Status& status, int line) const {
    return Status(status.code(), fmt::format("{}:{}: {}", path_, line, status.message()),
                  status.hint());
  }
  template <typename T>
  Result<T> Locate(Result<T> result, int line) const {
    if (result.ok()) return result;
    return Locate(result.status(), line);
  }

  Status RenderNodes(const std::vector<TemplateNode>& nodes, std::string& out) {
    for (const TemplateNode& node : nodes) {
      SW_RETURN_IF_ERROR(RenderNode(node, out));
      if (flow_ != Flow::kNormal) break;
    }
    return Status::Ok();
  }

  Status RenderNode(const TemplateNode& node, std::string& out) {
    switch (node.kind) {
      case TemplateNode::Kind::kText:
        out += node.text;
        return Status::Ok();
      case TemplateNode::Kind::kOutput: {
        SW_ASSIGN_OR_RETURN(TemplateValue value, Evaluate(node.expr));
        if (value.is_undefined()) return Locate(UndefinedError(value), node.line);
        out += value.Render();
        return Status::Ok();
      }
      case TemplateNode::Kind::kIf:
        return RenderIf(node, out);
      case TemplateNode::Kind::kFor:
        return RenderFor(node, out);
      case TemplateNode::Kind::kSet:
        return RenderSet(node);
      case TemplateNode::Kind::kSetBlock: {
        std::string text;
        SW_RETURN_IF_ERROR(RenderNodes(node.bodies[0], text));
        scopes_.back()->insert_or_assign(node.targets[0], TemplateValue(std::move(text)));
        return Status::Ok();
      }
      case TemplateNode::Kind::kMacro:  // defined by RenderFile; a macro renders nothing
        return Status::Ok();
      case TemplateNode::Kind::kCallBlock:
        return RenderCallBlock(node, out);
      case TemplateNode::Kind::kDo:
        return Evaluate(node.expr).status();
      case TemplateNode::Kind::kBreak:
        flow_ = Flow::kBreak;
        return Status::Ok();
      case TemplateNode::Kind::kContinue:
        flow_ = Flow::kContinue;
        return Status::Ok();
      case TemplateNode::Kind::kSnapshot:
        return RenderNodes(node.bodies[0], out);
    }
    return LocatedError(path_, node.line, "internal: unknown statement kind");
  }

  Status RenderIf(const TemplateNode& node, std::string& out) {
    for (size_t branch = 0; branch < node.bodies.size(); ++branch) {
      if (branch < node.conditions.size()) {
        SW_ASSIGN_OR_RETURN(TemplateValue condition, Evaluate(node.conditions[branch]));
        if (!condition.Truthy()) continue;
      }
      return RenderNodes(node.bodies[branch], out);
    }
    return Status::Ok();
  }

  // Binds `targets` to `item` in the innermost scope: one name takes the
  // item, several unpack it.
  Status Unpack(const std::vector<std::string>& targets, const TemplateValue& item, int line) {
    Scope& scope = *scopes_.back();
    if (targets.size() == 1) {
      scope.insert_or_assign(targets[0], item);
      return Status::Ok();
    }
    if (!item.is_list() || item.as_list().size() != targets.size())
      return LocatedError(path_, line,
                          fmt::format("cannot unpack {} {} into {} names", item.TypeName(),
                                      item.is_undefined() ? "" : item.Repr(), targets.size()));
    for (size_t i = 0; i < targets.size(); ++i)
      scope.insert_or_assign(targets[i], item.as_list()[i]);
    return Status::Ok();
  }

  // The items of a for loop, after its `if` filter.
  Result<TemplateValue::List> LoopItems(const TemplateNode& node) {
    SW_ASSIGN_OR_RETURN(TemplateValue iterable, Evaluate(node.expr));
    SW_ASSIGN_OR_RETURN(TemplateValue::List items, Locate(Iterate(iterable), node.line));
    if (node.conditions.empty()) return items;
    TemplateValue::List kept;
    for (const TemplateValue& item : items) {
      SW_RETURN_IF_ERROR(Unpack(node.targets, item, node.line));
      SW_ASSIGN_OR_RETURN(TemplateValue keep, Evaluate(node.conditions[0]));
      if (keep.Truthy()) kept.push_back(item);
    }
    return kept;
  }

  static TemplateValue LoopVariable(size_t index, size_t length) {
    const auto at = static_cast<int64_t>(index);
    const auto size = static_cast<int64_t>(length);
    return TemplateValue::FromDict({{"index", at + 1},
                                    {"index0", at},
                                    {"revindex", size - at},
                                    {"revindex0", size - at - 1},
                                    {"first", index == 0},
                                    {"last", index + 1 == length},
                                    {"length", size}});
  }

  Status RenderFor(const TemplateNode& node, std::string& out) {
    scopes_.push_back(std::make_shared<Scope>());
    Status status = RenderLoopInScope(node, out);
    scopes_.pop_back();
    return status;
  }

  Status RenderLoopInScope(const TemplateNode& node, std::string& out) {
    SW_ASSIGN_OR_RETURN(TemplateValue::List items, LoopItems(node));
    if (items.empty() && node.bodies.size() > 1) return RenderNodes(node.bodies[1], out);
    for (size_t index = 0; index < items.size(); ++index) {
      SW_RETURN_IF_ERROR(Unpack(node.targets, items[index], node.line));
      scopes_.back()->insert_or_assign("loop", LoopVariable(index, items.size()));
      SW_RETURN_IF_ERROR(RenderNodes(node.bodies[0], out));
      if (flow_ == Flow::kContinue) flow_ = Flow::kNormal;
      if (flow_ == Flow::kBreak) {
        flow_ = Flow::kNormal;
        break;
      }
      if (flow_ == Flow::kReturn) break;
    }
    return Status::Ok();
  }

  Status RenderSet(const TemplateNode& node) {
    SW_ASSIGN_OR_RETURN(TemplateValue value, Evaluate(node.expr));
    if (node.text.empty()) return Unpack(node.targets, value, node.line);
    // {% set ns.attribute = value %}: only a namespace (a dict) takes it.
    SW_ASSIGN_OR_RETURN(TemplateValue target, LookUpName(node.targets[0], node.line));
    if (!target.is_dict())
      return LocatedError(path_, node.line,
                          fmt::format("'{{% set {}.{} %}}' needs {} to be a namespace()",
                                      node.targets[0], node.text, node.targets[0]));
    target.Set(node.text, std::move(value));
    return Status::Ok();
  }

  Status RenderCallBlock(const TemplateNode& node, std::string& out) {
    TemplateValue caller(std::make_shared<const CallerObject>(node, scopes_, path_, package_));
    SW_ASSIGN_OR_RETURN(TemplateValue value, EvaluateCall(node.expr, &caller));
    if (value.is_undefined()) return Locate(UndefinedError(value), node.line);
    out += value.Render();
    return Status::Ok();
  }

  Result<TemplateValue> LookUpName(const std::string& name, int line) {
    for (auto scope = scopes_.rbegin(); scope != scopes_.rend(); ++scope) {
      auto found = (*scope)->find(name);
      if (found != (*scope)->end()) return found->second;
    }
    SW_ASSIGN_OR_RETURN(std::optional<TemplateValue> known,
                        Locate(environment_.LookUp(name, package_), line));
    if (known) return *std::move(known);
    if (auto global = JinjaGlobal(name)) return *std::move(global);
    return TemplateValue::Undefined(fmt::format("'{}' is undefined", name));
  }

  Result<TemplateValue> Evaluate(const Expr& expr) {
    switch (expr.kind) {
      case Expr::Kind::kLiteral:
        return expr.literal;
      case Expr::Kind::kList: {
        SW_ASSIGN_OR_RETURN(CallArguments items, EvaluateArguments(expr.operands, {}, {}));
        return TemplateValue(std::move(items.positional));
      }
      case Expr::Kind::kDict:
        return EvaluateDict(expr);
      case Expr::Kind::kName:
        return LookUpName(expr.name, expr.line);
      case Expr::Kind::kAttribute: {
        SW_ASSIGN_OR_RETURN(TemplateValue subject, Evaluate(expr.operands[0]));
        return Locate(GetAttribute(subject, expr.name), expr.line);
      }
      case Expr::Kind::kSubscript: {
        SW_ASSIGN_OR_RETURN(CallArguments parts, EvaluateArguments(expr.operands, {}, {}));
        return Locate(GetItem(parts.positional[0], parts.positional[1]), expr.line);
      }
      case Expr::Kind::kSlice: {
        SW_ASSIGN_OR_RETURN(CallArguments parts, EvaluateArguments(expr.operands, {}, {}));
        const auto& p = parts.positional;
        return Locate(GetSlice(p[0], p[1], p[2], p[3]), expr.line);
      }
      case Expr::Kind::kCall:
      case Expr::Kind::kMethodCall:
      case Expr::Kind::kCallValue:
        return EvaluateCall(expr, nullptr);
      case Expr::Kind::kFilter:
        return EvaluateFilter(expr);
      case Expr::Kind::kTest:
        return EvaluateTest(expr);
      case Expr::Kind::kNot: {
        SW_ASSIGN_OR_RETURN(TemplateValue operand, Evaluate(expr.operands[0]));
        return TemplateValue(!operand.Truthy());
      }
      case Expr::Kind::kNegate: {
        SW_ASSIGN_OR_RETURN(TemplateValue operand, Evaluate(expr.operands[0]));
        return Locate(Negate(operand), expr.line);
      }
      case Expr::Kind::kAnd:
      case Expr::Kind::kOr: {
        SW_ASSIGN_OR_RETURN(TemplateValue left, Evaluate(expr.operands[0]));
        bool short_circuit = expr.kind == Expr::Kind::kOr ? left.Truthy() : !left.Truthy();
        if (short_circuit) return left;
        return Evaluate(expr.operands[1]);
      }
      case Expr::Kind::kCompare:
        return EvaluateCompare(expr);
      case Expr::Kind::kBinary: {
        SW_ASSIGN_OR_RETURN(TemplateValue left, Evaluate(expr.operands[0]));
        SW_ASSIGN_OR_RETURN(TemplateValue right, Evaluate(expr.operands[1]));
        return Locate(BinaryOperation(expr.name, left, right), expr.line);
      }
      case Expr::Kind::kConditional: {
        SW_ASSIGN_OR_RETURN(TemplateValue condition, Evaluate(expr.operands[0]));
        return Evaluate(expr.operands[condition.Truthy() ? 1 : 2]);
      }
    }
    return LocatedError(path_, expr.line, "internal: unknown expression kind");
  }

  Result<CallArguments> EvaluateArguments(std::span<const Expr> positional,
                                          const std::vector<std::string>& keyword_names,
                                          const std::vector<Expr>& keyword_values) {
    CallArguments args;
    args.positional.reserve(positional.size());
    for (const Expr& operand : positional) {
      SW_ASSIGN_OR_RETURN(TemplateValue value, Evaluate(operand));
      args.positional.push_back(std::move(value));
    }
    for (size_t i = 0; i < keyword_names.size(); ++i) {
      SW_ASSIGN_OR_RETURN(TemplateValue value, Evaluate(keyword_values[i]));
      args.keyword.emplace_back(keyword_names[i], std::move(value));
    }
    return args;
  }

  Result<CallArguments> EvaluateArguments(const Expr& expr) {
    return EvaluateArguments(expr.Arguments(), expr.keyword_names, expr.keyword_values);
  }

  Result<TemplateValue> EvaluateDict(const Expr& expr) {
    TemplateValue dict = TemplateValue::FromDict({});
    for (size_t i = 0; i + 1 < expr.operands.size(); i += 2) {
      SW_ASSIGN_OR_RETURN(TemplateValue key, Evaluate(expr.operands[i]));
      SW_ASSIGN_OR_RETURN(TemplateValue value, Evaluate(expr.operands[i + 1]));
      if (!key.is_string())
        return LocatedError(path_, expr.line,
                            fmt::format("dict keys must be strings, got {}", key.TypeName()),
                            "quote the key: {'1': ...}");
      dict.Set(key.as_string(), std::move(value));
    }
    return dict;
  }

  Result<TemplateValue> EvaluateCompare(const Expr& expr) {
    SW_ASSIGN_OR_RETURN(TemplateValue left, Evaluate(expr.operands[0]));
    SW_ASSIGN_OR_RETURN(TemplateValue right, Evaluate(expr.operands[1]));
    const std::string& op = expr.name;
    if (op == "in" || op == "not in") {
      SW_ASSIGN_OR_RETURN(bool found, Locate(Contains(right, left), expr.line));
      return TemplateValue(op == "in" ? found : !found);
    }
    for (const TemplateValue* side : {&left, &right})
      if (side->is_undefined()) return Locate(UndefinedError(*side), expr.line);
    if (op == "==") return TemplateValue(left == right);
    if (op == "!=") return TemplateValue(!(left == right));
    SW_ASSIGN_OR_RETURN(int order, Locate(CompareValues(left, right, op), expr.line));
    if (op == "<") return TemplateValue(order < 0);
    if (op == ">") return TemplateValue(order > 0);
    if (op == "<=") return TemplateValue(order <= 0);
    return TemplateValue(order >= 0);
  }

  Result<TemplateValue> EvaluateFilter(const Expr& expr) {
    const FilterDefinition* filter = FindFilter(expr.name);
    if (!filter) return Unsupported(path_, expr.line, "filter " + expr.name);  // parser checked
    SW_ASSIGN_OR_RETURN(TemplateValue value, Evaluate(expr.operands[0]));
    if (value.is_undefined() && !filter->accepts_undefined)
      return Locate(UndefinedError(value), expr.line);
    SW_ASSIGN_OR_RETURN(CallArguments args, EvaluateArguments(expr));
    return Locate(filter->apply(value, args), expr.line);
  }

  Result<TemplateValue> EvaluateTest(const Expr& expr) {
    const PredicateDefinition* test = FindPredicate(expr.name);
    if (!test) return Unsupported(path_, expr.line, "test " + expr.name);  // parser checked
    SW_ASSIGN_OR_RETURN(TemplateValue value, Evaluate(expr.operands[0]));
    SW_ASSIGN_OR_RETURN(CallArguments args, EvaluateArguments(expr));
    if (static_cast<int>(args.positional.size()) != test->arity)
      return LocatedError(path_, expr.line,
                          fmt::format("test '{}' takes {} argument(s), got {}", expr.name,
                                      test->arity, args.positional.size()));
    SW_ASSIGN_OR_RETURN(bool passes, Locate(test->apply(value, args), expr.line));
    return TemplateValue(passes != expr.negated);
  }

  // A call of a name, a method or a call's result; `caller` is the body of
  // a {% call %} block around it, or null.
  Result<TemplateValue> EvaluateCall(const Expr& expr, const TemplateValue* caller) {
    if (expr.kind == Expr::Kind::kCall && expr.name == "return") {
      SW_ASSIGN_OR_RETURN(TemplateValue value, Evaluate(expr.operands[0]));
      returned_ = std::move(value);
      flow_ = Flow::kReturn;
      return TemplateValue(std::string());
    }
    TemplateValue callee;
    if (expr.kind == Expr::Kind::kCall) {
      SW_ASSIGN_OR_RETURN(callee, LookUpName(expr.name, expr.line));
    } else {
      SW_ASSIGN_OR_RETURN(TemplateValue subject, Evaluate(expr.operands[0]));
      if (expr.kind == Expr::Kind::kCallValue) {
        callee = std::move(subject);
      } else if (const MethodDefinition* method = FindMethod(subject, expr.name)) {
        SW_ASSIGN_OR_RETURN(CallArguments args, EvaluateArguments(expr));
        return Locate(method->apply(subject, args), expr.line);
      } else if (subject.is_object() || subject.is_dict()) {
        SW_ASSIGN_OR_RETURN(callee, Locate(GetAttribute(subject, expr.name), expr.line));
      } else {
        if (subject.is_undefined()) return Locate(UndefinedError(subject), expr.line);
        return Locate(UnsupportedHere(fmt::format("{}.{}()", subject.TypeName(), expr.name),
                                      fmt::format("{} has no method '{}'", subject.TypeName(),
                                                  expr.name)),
                      expr.line);
      }
    }
    SW_ASSIGN_OR_RETURN(CallArguments args, EvaluateArguments(expr));
    return CallValue(callee, args, expr.line, caller);
  }

  Result<TemplateValue> CallValue(const TemplateValue& callee, const CallArguments& args, int line,
                                  const TemplateValue* caller) {
    if (callee.is_undefined()) return Locate(UndefinedError(callee), line);
    if (!callee.is_callable())
      return LocatedError(path_, line,
                          fmt::format("{} {} cannot be called", callee.TypeName(), callee.Repr()));
    const TemplateObject& object = callee.as_object();
    if (const MacroDefinition* macro = object.AsMacro())
      return CallMacro(*macro, args, line, caller);
    if (const auto* block = dynamic_cast<const CallerObject*>(&object))
      return CallCaller(*block, args, line);
    return Locate(object.Call(args), line);
  }

  // Binds `args` to `parameters` in a new scope (the innermost), with
  // `varargs`, `kwargs` and `caller` as Jinja gives them.
  Status BindArguments(const std::string& name, const TemplateNode& definition,
                       const CallArguments& args, const TemplateValue* caller, int call_line,
                       const std::string& call_path) {
    Scope& scope = *scopes_.back();
    const auto& parameters = definition.parameters;
    auto error = [&](const std::string& message) {
      return LocatedError(call_path, call_line, fmt::format("macro '{}' {}", name, message));
    };
    TemplateValue::List varargs;
    TemplateValue kwargs = TemplateValue::FromDict({});
    for (size_t i = 0; i < args.positional.size(); ++i) {
      if (i < parameters.size()) {
        scope.insert_or_assign(parameters[i].name, args.positional[i]);
      } else if (definition.takes_varargs) {
        varargs.push_back(args.positional[i]);
      } else {
        return error(fmt::format("takes {} argument(s), got {}", parameters.size(),
                                 args.positional.size()));
      }
    }
    for (const auto& [key, value] : args.keyword) {
      // An init-capture, not [&]: clang before 16 cannot capture a structured binding.
      auto parameter = std::find_if(
          parameters.begin(), parameters.end(),
          [&keyword_name = key](const MacroParameter& p) { return p.name == keyword_name; });
      if (parameter == parameters.end()) {
        if (!definition.takes_kwargs) return error(fmt::format("has no parameter '{}'", key));
        kwargs.Set(key, value);
      } else if (!scope.emplace(key, value).second) {
        return error(fmt::format("got two values for '{}'", key));
      }
    }
    for (const MacroParameter& parameter : parameters) {
      if (scope.count(parameter.name)) continue;
      TemplateValue value = TemplateValue::Undefined(
          fmt::format("macro '{}' was called without '{}'", name, parameter.name));
      if (parameter.default_value) {
        SW_ASSIGN_OR_RETURN(value, Evaluate(*parameter.default_value));
      }
      scope.insert_or_assign(parameter.name, std::move(value));
    }
    scope.insert_or_assign("varargs", TemplateValue(std::move(varargs)));
    scope.insert_or_assign("kwargs", std::move(kwargs));
    if (caller) scope.insert_or_assign("caller", *caller);
    return Status::Ok();
  }

  // Renders `body` with `scopes`, in `path` of `package`, after binding
  // the arguments; the state of the call's place comes back afterwards.
  Result<TemplateValue> Invoke(const std::string& name, const TemplateNode& definition,
                               const std::vector<TemplateNode>& body, ScopeChain scopes,
                               const std::string& path, const std::string& package,
                               const CallArguments& args, int line, const TemplateValue* caller) {
    if (depth_ >= kMaxCallDepth)
      return LocatedError(path_, line,
                          fmt::format("macro '{}' nests more than {} calls deep", name,
                                      kMaxCallDepth),
                          "a macro calls itself without end; give its recursion a base case");
    const std::string call_path = path_;
    std::string saved_path = std::exchange(path_, path);
    std::string saved_package = std::exchange(package_, package);
    ScopeChain saved_scopes = std::exchange(scopes_, std::move(scopes));
    std::optional<TemplateValue> saved_return = std::exchange(returned_, std::nullopt);
    Flow saved_flow = std::exchange(flow_, Flow::kNormal);
    ++depth_;
    scopes_.push_back(std::make_shared<Scope>());
    std::string out;
    Status status = BindArguments(name, definition, args, caller, line, call_path);
    if (status.ok()) status = RenderNodes(body, out);
    TemplateValue result = returned_ ? *std::move(returned_) : TemplateValue(std::move(out));
    --depth_;
    path_ = std::move(saved_path);
    package_ = std::move(saved_package);
    scopes_ = std::move(saved_scopes);
    returned_ = std::move(saved_return);
    flow_ = saved_flow;
    if (!status.ok()) return status;
    return result;
  }

  Result<TemplateValue> CallMacro(const MacroDefinition& macro, const CallArguments& args,
                                  int line, const TemplateValue* caller) {
    ScopeChain scopes;
    if (macro.file_local) scopes.push_back(file_scope_);
    return Invoke(macro.name, *macro.node, macro.node->bodies[0], std::move(scopes), macro.path,
                  macro.package, args, line, caller);
  }

  Result<TemplateValue> CallCaller(const CallerObject& block, const CallArguments& args,
                                   int line) {
    return Invoke("caller", block.block(), block.block().bodies[0], block.scopes(), block.path(),
                  block.package(), args, line, nullptr);
  }

  TemplateEnvironment& environment_;
  std::string path_;
  std::string package_;
  std::shared_ptr<Scope> file_scope_;
  ScopeChain scopes_;
  Flow flow_ = Flow::kNormal;
  std::optional<TemplateValue> returned_;
  int depth_ = 0;
};

}  // namespace

Result<std::string> RenderNodes(const std::string& path, const std::vector<TemplateNode>& nodes,
                                TemplateEnvironment& environment, std::string_view package) {
  std::string out;
  Renderer renderer(environment);
  SW_RETURN_IF_ERROR(renderer.RenderFile(path, package, nodes, out));
  return out;
}

Result<TemplateValue> EvaluateExpression(const std::string& path, const Expr& expr,
                                         TemplateEnvironment& environment) {
  return Renderer(environment).EvaluateStandalone(path, expr);
}

}  // namespace silverwork::transform
