#include "transform/template/expression_parser.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "transform/template/errors.h"

namespace silverwork::transform {

const Token* ExpressionParser::Peek(size_t ahead) const {
  return pos_ + ahead < tokens_.size() ? &tokens_[pos_ + ahead] : nullptr;
}

bool ExpressionParser::PeekIs(std::string_view text, size_t ahead) const {
  const Token* token = Peek(ahead);
  return token && (token->kind == TokenKind::kName || token->kind == TokenKind::kOperator) &&
         token->text == text;
}

Status ExpressionParser::Leftover() const {
  const Token& token = tokens_[pos_];
  if (token.text == "|" && pos_ + 1 < tokens_.size())
    return Unsupported(path_, token.line, "| " + tokens_[pos_ + 1].text);
  return Unsupported(path_, token.line, TokenText(token));
}

std::string ExpressionParser::TokenText(const Token& token) {
  return token.kind == TokenKind::kString ? fmt::format("'{}'", token.text) : token.text;
}

Result<Expr> ExpressionParser::ParseOr() {
  SW_ASSIGN_OR_RETURN(Expr left, ParseAnd());
  while (PeekIs("or")) {
    int line = Peek()->line;
    Skip();
    SW_ASSIGN_OR_RETURN(Expr right, ParseAnd());
    left = Binary(Expr::Kind::kOr, "or", std::move(left), std::move(right), line);
  }
  return left;
}

Result<Expr> ExpressionParser::ParseAnd() {
  SW_ASSIGN_OR_RETURN(Expr left, ParseNot());
  while (PeekIs("and")) {
    int line = Peek()->line;
    Skip();
    SW_ASSIGN_OR_RETURN(Expr right, ParseNot());
    left = Binary(Expr::Kind::kAnd, "and", std::move(left), std::move(right), line);
  }
  return left;
}

Result<Expr> ExpressionParser::ParseNot() {
  if (PeekIs("not")) {
    Expr expr;
    expr.kind = Expr::Kind::kNot;
    expr.line = Peek()->line;
    Skip();
    SW_ASSIGN_OR_RETURN(Expr operand, ParseNot());
    expr.operands.push_back(std::move(operand));
    return expr;
  }
  return ParseCompare();
}

Result<Expr> ExpressionParser::ParseCompare() {
  SW_ASSIGN_OR_RETURN(Expr left, ParsePrimary());
  static constexpr std::array<std::string_view, 7> kOperators{"==", "!=", "<", ">",
                                                              "<=", ">=", "in"};
  std::string op;
  for (std::string_view candidate : kOperators)
    if (PeekIs(candidate)) op = std::string(candidate);
  if (op.empty() && PeekIs("not") && PeekIs("in", 1)) {
    op = "not in";
    Skip();
  }
  if (op.empty()) return left;
  int line = Peek()->line;
  Skip();
  SW_ASSIGN_OR_RETURN(Expr right, ParsePrimary());
  return Binary(Expr::Kind::kCompare, op, std::move(left), std::move(right), line);
}

Expr ExpressionParser::Binary(Expr::Kind kind, std::string op, Expr left, Expr right, int line) {
  Expr expr;
  expr.kind = kind;
  expr.name = std::move(op);
  expr.line = line;
  expr.operands.push_back(std::move(left));
  expr.operands.push_back(std::move(right));
  return expr;
}

Status ExpressionParser::Expect(std::string_view text) {
  if (PeekIs(text)) {
    Skip();
    return Status::Ok();
  }
  if (AtEnd()) return LocatedError(path_, CurrentLine(), fmt::format("expected '{}'", text));
  return LocatedError(path_, CurrentLine(),
                      fmt::format("expected '{}', found {}", text, TokenText(*Peek())));
}

Result<Expr> ExpressionParser::ParsePrimary() {
  if (AtEnd()) return LocatedError(path_, line_, "expression ends too early");
  const Token& token = tokens_[pos_];
  Expr expr;
  expr.line = token.line;
  switch (token.kind) {
    case TokenKind::kString:
      Skip();
      expr.literal = token.text;
      return expr;
    case TokenKind::kInteger:
    case TokenKind::kReal:
      Skip();
      expr.literal = token.value;
      return expr;
    case TokenKind::kName:
      return ParseName();
    case TokenKind::kOperator:
      break;
  }
  if (token.text == "(") {
    Skip();
    SW_ASSIGN_OR_RETURN(Expr inner, ParseExpression());
    SW_RETURN_IF_ERROR(Expect(")"));
    return inner;
  }
  if (token.text == "[") return ParseList();
  if (token.text == "-" && Peek(1) &&
      (Peek(1)->kind == TokenKind::kInteger || Peek(1)->kind == TokenKind::kReal)) {
    const TemplateValue& number = Peek(1)->value;
    expr.literal =
        number.is_int() ? TemplateValue(-number.as_int()) : TemplateValue(-number.as_number());
    pos_ += 2;
    return expr;
  }
  if (token.text == "{") return Unsupported(path_, token.line, "{...} dict literal");
  return Unsupported(path_, token.line, TokenText(token));
}

Result<Expr> ExpressionParser::ParseList() {
  Expr list;
  list.kind = Expr::Kind::kList;
  list.line = Peek()->line;
  Skip();
  while (!PeekIs("]")) {
    SW_ASSIGN_OR_RETURN(Expr item, ParseExpression());
    list.operands.push_back(std::move(item));
    if (!PeekIs(",")) break;
    Skip();
  }
  SW_RETURN_IF_ERROR(Expect("]"));
  return list;
}

Result<Expr> ExpressionParser::ParseName() {
  const Token& token = tokens_[pos_];
  Skip();
  Expr expr;
  expr.line = token.line;
  if (PeekIs("(")) return ParseCall(token);
  if (token.text == "true" || token.text == "True") {
    expr.literal = true;
  } else if (token.text == "false" || token.text == "False") {
    expr.literal = false;
  } else if (token.text == "none" || token.text == "None") {
    expr.literal = TemplateValue();
  } else {
    bool is_loop = token.text == "loop" && !loop_variables_.empty();
    bool known = is_loop || token.text == "this" ||
                 std::find(loop_variables_.begin(), loop_variables_.end(), token.text) !=
                     loop_variables_.end();
    if (!known) return Unsupported(path_, token.line, token.text);
    expr.kind = Expr::Kind::kName;
    expr.name = token.text;
    if (PeekIs(".")) return ParseAttribute(std::move(expr));
  }
  if (PeekIs("[")) return Unsupported(path_, token.line, token.text + "[...]");
  return expr;
}

Result<Expr> ExpressionParser::ParseAttribute(Expr object) {
  Skip();  // '.'
  const Token* attribute = Peek();
  if (!attribute || attribute->kind != TokenKind::kName)
    return LocatedError(path_, object.line, "expected an attribute name after '.'");
  std::string construct = object.name + "." + attribute->text;
  bool allowed = object.name == "loop" && std::find(kLoopAttributes.begin(), kLoopAttributes.end(),
                                                    attribute->text) != kLoopAttributes.end();
  Skip();
  if (!allowed || PeekIs("(") || PeekIs("."))
    return Unsupported(path_, object.line, PeekIs("(") ? construct + "()" : construct);
  Expr expr;
  expr.kind = Expr::Kind::kAttribute;
  expr.line = object.line;
  expr.name = attribute->text;
  expr.operands.push_back(std::move(object));
  return expr;
}

Result<Expr> ExpressionParser::ParseCall(const Token& name) {
  const FunctionSignature* signature = FindFunction(name.text);
  if (signature == nullptr) return Unsupported(path_, name.line, name.text + "()");
  Expr call;
  call.kind = Expr::Kind::kCall;
  call.name = name.text;
  call.line = name.line;
  Skip();  // '('
  while (!PeekIs(")")) {
    if (Peek() && Peek()->kind == TokenKind::kName && PeekIs("=", 1)) {
      call.keyword_names.push_back(Peek()->text);
      pos_ += 2;
      SW_ASSIGN_OR_RETURN(Expr value, ParseExpression());
      call.keyword_values.push_back(std::move(value));
    } else {
      if (!call.keyword_names.empty())
        return LocatedError(
            path_, CurrentLine(),
            fmt::format("{}(): positional argument after keyword argument", call.name));
      SW_ASSIGN_OR_RETURN(Expr value, ParseExpression());
      call.operands.push_back(std::move(value));
    }
    if (!PeekIs(",")) break;
    Skip();
  }
  SW_RETURN_IF_ERROR(Expect(")"));
  SW_RETURN_IF_ERROR(CheckSignature(call, *signature));
  return call;
}

Status ExpressionParser::CheckSignature(const Expr& call,
                                        const FunctionSignature& signature) const {
  const int min_args = signature.min_args;
  const int max_args = signature.max_args;
  const bool literal_strings = signature.literal_string_args;
  const bool keyword_only = signature.keyword_args_only;
  if (!keyword_only && !call.keyword_names.empty())
    return LocatedError(path_, call.line,
                        fmt::format("{}() takes no keyword arguments ('{}=' given)", call.name,
                                    call.keyword_names.front()));
  if (keyword_only && !call.operands.empty())
    return LocatedError(path_, call.line,
                        fmt::format("{}() takes keyword arguments only, e.g. "
                                    "{}(materialized='table')",
                                    call.name, call.name));
  const int given = static_cast<int>(call.operands.size());
  if (given < min_args || given > max_args) {
    std::string expected = min_args == max_args ? std::to_string(min_args)
                                                : fmt::format("{} to {}", min_args, max_args);
    return LocatedError(path_, call.line,
                        fmt::format("{}() takes {} argument{}, got {}", call.name, expected,
                                    max_args == 1 ? "" : "s", given));
  }
  if (literal_strings) {
    for (const Expr& argument : call.operands) {
      if (argument.kind != Expr::Kind::kLiteral || !argument.literal.is_string())
        return LocatedError(path_, call.line,
                            fmt::format("{}() arguments must be string literals", call.name));
    }
  }
  return Status::Ok();
}

}  // namespace silverwork::transform
