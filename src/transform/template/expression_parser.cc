#include "transform/template/expression_parser.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "transform/template/errors.h"
#include "transform/template/filters.h"
#include "transform/template/functions.h"
#include "transform/template/predicates.h"

namespace silverwork::transform {
namespace {

// Words that end an expression rather than start a test's bare argument.
constexpr std::array<std::string_view, 8> kKeywords{"and", "or", "not", "in",
                                                    "is",  "if", "else", "for"};

bool IsKeyword(const Token& token) {
  return token.kind == TokenKind::kName &&
         std::find(kKeywords.begin(), kKeywords.end(), token.text) != kKeywords.end();
}

// The operators of each arithmetic level, lowest precedence first.
constexpr std::array<std::array<std::string_view, 4>, 4> kArithmetic{{
    {"+", "-", "", ""},
    {"~", "", "", ""},
    {"*", "/", "//", "%"},
    {"**", "", "", ""},
}};

}  // namespace

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
  return Unsupported(path_, token.line, TokenText(token));
}

std::string ExpressionParser::TokenText(const Token& token) {
  return token.kind == TokenKind::kString ? fmt::format("'{}'", token.text) : token.text;
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

Expr ExpressionParser::Binary(Expr::Kind kind, std::string op, Expr left, Expr right, int line) {
  Expr expr;
  expr.kind = kind;
  expr.name = std::move(op);
  expr.line = line;
  expr.operands.push_back(std::move(left));
  expr.operands.push_back(std::move(right));
  return expr;
}

Result<Expr> ExpressionParser::ParseExpression(bool allow_conditional) {
  return allow_conditional ? ParseConditional() : ParseOr();
}

Result<Expr> ExpressionParser::ParseConditional() {
  SW_ASSIGN_OR_RETURN(Expr value, ParseOr());
  if (!PeekIs("if")) return value;
  Expr conditional;
  conditional.kind = Expr::Kind::kConditional;
  conditional.line = Peek()->line;
  Skip();
  SW_ASSIGN_OR_RETURN(Expr condition, ParseOr());
  // Without an else Jinja yields undefined, which renders as nothing; ours
  // would be an error, so the missing branch is the empty string.
  Expr otherwise;
  otherwise.line = conditional.line;
  otherwise.literal = TemplateValue(std::string());
  if (PeekIs("else")) {
    Skip();
    SW_ASSIGN_OR_RETURN(otherwise, ParseConditional());
  }
  conditional.operands.push_back(std::move(condition));
  conditional.operands.push_back(std::move(value));
  conditional.operands.push_back(std::move(otherwise));
  return conditional;
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
  if (!PeekIs("not")) return ParseCompare();
  Expr expr;
  expr.kind = Expr::Kind::kNot;
  expr.line = Peek()->line;
  Skip();
  SW_ASSIGN_OR_RETURN(Expr operand, ParseNot());
  expr.operands.push_back(std::move(operand));
  return expr;
}

Result<Expr> ExpressionParser::ParseCompare() {
  SW_ASSIGN_OR_RETURN(Expr left, ParseArithmetic(0));
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
  SW_ASSIGN_OR_RETURN(Expr right, ParseArithmetic(0));
  return Binary(Expr::Kind::kCompare, op, std::move(left), std::move(right), line);
}

Result<Expr> ExpressionParser::ParseArithmetic(int level) {
  if (level == static_cast<int>(kArithmetic.size())) return ParseUnary();
  SW_ASSIGN_OR_RETURN(Expr left, ParseArithmetic(level + 1));
  while (true) {
    const auto& operators = kArithmetic[static_cast<size_t>(level)];
    auto op = std::find_if(operators.begin(), operators.end(), [&](std::string_view candidate) {
      return !candidate.empty() && PeekIs(candidate);
    });
    if (op == operators.end()) return left;
    int line = Peek()->line;
    Skip();
    SW_ASSIGN_OR_RETURN(Expr right, ParseArithmetic(level + 1));
    left = Binary(Expr::Kind::kBinary, std::string(*op), std::move(left), std::move(right), line);
  }
}

Result<Expr> ExpressionParser::ParseUnary(bool with_filters) {
  Expr expr;
  if (PeekIs("-") || PeekIs("+")) {
    const bool negate = PeekIs("-");
    const int line = Peek()->line;
    Skip();
    // As Jinja: the sign binds before filters, so -1 | abs is abs(-1).
    SW_ASSIGN_OR_RETURN(expr, ParseUnary(/*with_filters=*/false));
    if (negate && expr.kind == Expr::Kind::kLiteral && expr.literal.is_number()) {
      expr.literal = expr.literal.is_int() ? TemplateValue(-expr.literal.as_int())
                                           : TemplateValue(-expr.literal.as_number());
    } else if (negate) {
      Expr negated;
      negated.kind = Expr::Kind::kNegate;
      negated.line = line;
      negated.operands.push_back(std::move(expr));
      expr = std::move(negated);
    }
  } else {
    SW_ASSIGN_OR_RETURN(Expr primary, ParsePrimary());
    SW_ASSIGN_OR_RETURN(expr, ParsePostfix(std::move(primary)));
  }
  while (with_filters && (PeekIs("|") || PeekIs("is"))) {
    if (PeekIs("|")) {
      SW_ASSIGN_OR_RETURN(expr, ParseFilter(std::move(expr)));
    } else {
      SW_ASSIGN_OR_RETURN(expr, ParseTest(std::move(expr)));
    }
  }
  return expr;
}

Result<Expr> ExpressionParser::ParsePostfix(Expr subject) {
  while (true) {
    if (PeekIs(".")) {
      Skip();
      const Token* attribute = Peek();
      if (!attribute || attribute->kind != TokenKind::kName)
        return LocatedError(path_, subject.line, "expected an attribute name after '.'");
      Skip();
      Expr expr;
      expr.kind = PeekIs("(") ? Expr::Kind::kMethodCall : Expr::Kind::kAttribute;
      expr.line = attribute->line;
      expr.name = attribute->text;
      expr.operands.push_back(std::move(subject));
      if (expr.kind == Expr::Kind::kMethodCall) SW_RETURN_IF_ERROR(ParseArguments(expr));
      subject = std::move(expr);
    } else if (PeekIs("[")) {
      SW_ASSIGN_OR_RETURN(subject, ParseSubscript(std::move(subject)));
    } else if (PeekIs("(")) {
      Expr expr;
      expr.kind = Expr::Kind::kCallValue;
      expr.line = Peek()->line;
      expr.operands.push_back(std::move(subject));
      SW_RETURN_IF_ERROR(ParseArguments(expr));
      subject = std::move(expr);
    } else {
      return subject;
    }
  }
}

Result<Expr> ExpressionParser::ParseSubscript(Expr subject) {
  const int line = Peek()->line;
  Skip();  // '['
  std::array<Expr, 3> bounds;
  for (Expr& bound : bounds) bound.line = line;
  size_t colons = 0;
  while (!PeekIs("]")) {
    if (PeekIs(":")) {
      if (++colons > 2) return LocatedError(path_, line, "a slice takes at most two ':'");
      Skip();
      continue;
    }
    SW_ASSIGN_OR_RETURN(bounds[colons], ParseExpression());
    if (!PeekIs(":") && !PeekIs("]")) break;
  }
  SW_RETURN_IF_ERROR(Expect("]"));
  Expr expr;
  expr.line = line;
  expr.operands.push_back(std::move(subject));
  if (colons == 0) {
    expr.kind = Expr::Kind::kSubscript;
    expr.operands.push_back(std::move(bounds[0]));
  } else {
    expr.kind = Expr::Kind::kSlice;
    for (Expr& bound : bounds) expr.operands.push_back(std::move(bound));
  }
  return expr;
}

Result<Expr> ExpressionParser::ParseFilter(Expr subject) {
  Skip();  // '|'
  const Token* name = Peek();
  if (!name || name->kind != TokenKind::kName)
    return LocatedError(path_, subject.line, "expected a filter name after '|'");
  if (!FindFilter(name->text)) return Unsupported(path_, name->line, "| " + name->text);
  Skip();
  Expr expr;
  expr.kind = Expr::Kind::kFilter;
  expr.line = name->line;
  expr.name = name->text;
  expr.operands.push_back(std::move(subject));
  if (PeekIs("(")) SW_RETURN_IF_ERROR(ParseArguments(expr));
  return expr;
}

Result<Expr> ExpressionParser::ParseTest(Expr subject) {
  const int line = Peek()->line;
  Skip();  // 'is'
  Expr expr;
  expr.kind = Expr::Kind::kTest;
  expr.line = line;
  if (PeekIs("not")) {
    expr.negated = true;
    Skip();
  }
  const Token* name = Peek();
  if (!name || (name->kind != TokenKind::kName && name->text != "=="))
    return LocatedError(path_, line, "expected a test name after 'is'");
  const PredicateDefinition* test = FindPredicate(name->text);
  if (!test) return Unsupported(path_, name->line, "is " + name->text);
  Skip();
  expr.name = test->name;
  expr.operands.push_back(std::move(subject));
  if (PeekIs("(")) {
    SW_RETURN_IF_ERROR(ParseArguments(expr));
  } else if (test->arity == 1 && Peek() && !IsKeyword(*Peek()) &&
             (Peek()->kind != TokenKind::kOperator || PeekIs("(") || PeekIs("["))) {
    // `x is divisibleby 3`: one argument without parentheses.
    SW_ASSIGN_OR_RETURN(Expr primary, ParsePrimary());
    SW_ASSIGN_OR_RETURN(Expr argument, ParsePostfix(std::move(primary)));
    expr.operands.push_back(std::move(argument));
  }
  const int given = static_cast<int>(expr.operands.size()) - 1;
  if (given != test->arity || !expr.keyword_names.empty())
    return LocatedError(path_, line,
                        fmt::format("test '{}' takes {} argument{}, got {}", test->name,
                                    test->arity, test->arity == 1 ? "" : "s", given));
  return expr;
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
  if (token.text == "(") return ParseParenthesized();
  if (token.text == "[") return ParseList();
  if (token.text == "{") return ParseDict();
  return Unsupported(path_, token.line, TokenText(token));
}

// (expr) or a tuple (a, b) / () / (a,), which is a list here.
Result<Expr> ExpressionParser::ParseParenthesized() {
  Expr tuple;
  tuple.kind = Expr::Kind::kList;
  tuple.line = Peek()->line;
  Skip();  // '('
  bool is_tuple = PeekIs(")");
  while (!PeekIs(")")) {
    SW_ASSIGN_OR_RETURN(Expr item, ParseExpression());
    tuple.operands.push_back(std::move(item));
    if (!PeekIs(",")) break;
    is_tuple = true;
    Skip();
  }
  SW_RETURN_IF_ERROR(Expect(")"));
  if (!is_tuple) return std::move(tuple.operands.front());
  return tuple;
}

Result<Expr> ExpressionParser::ParseList() {
  Expr list;
  list.kind = Expr::Kind::kList;
  list.line = Peek()->line;
  Skip();  // '['
  while (!PeekIs("]")) {
    SW_ASSIGN_OR_RETURN(Expr item, ParseExpression());
    list.operands.push_back(std::move(item));
    if (!PeekIs(",")) break;
    Skip();
  }
  SW_RETURN_IF_ERROR(Expect("]"));
  return list;
}

Result<Expr> ExpressionParser::ParseDict() {
  Expr dict;
  dict.kind = Expr::Kind::kDict;
  dict.line = Peek()->line;
  Skip();  // '{'
  while (!PeekIs("}")) {
    SW_ASSIGN_OR_RETURN(Expr key, ParseExpression());
    SW_RETURN_IF_ERROR(Expect(":"));
    SW_ASSIGN_OR_RETURN(Expr value, ParseExpression());
    dict.operands.push_back(std::move(key));
    dict.operands.push_back(std::move(value));
    if (!PeekIs(",")) break;
    Skip();
  }
  SW_RETURN_IF_ERROR(Expect("}"));
  return dict;
}

Result<Expr> ExpressionParser::ParseName() {
  const Token& token = tokens_[pos_];
  Skip();
  Expr expr;
  expr.line = token.line;
  if (PeekIs("(")) {
    expr.kind = Expr::Kind::kCall;
    expr.name = token.text;
    SW_RETURN_IF_ERROR(ParseArguments(expr));
    SW_RETURN_IF_ERROR(CheckSignature(expr));
    return expr;
  }
  if (token.text == "true" || token.text == "True") {
    expr.literal = true;
  } else if (token.text == "false" || token.text == "False") {
    expr.literal = false;
  } else if (token.text == "none" || token.text == "None") {
    expr.literal = TemplateValue();
  } else {
    expr.kind = Expr::Kind::kName;
    expr.name = token.text;
  }
  return expr;
}

Status ExpressionParser::ParseArguments(Expr& call) {
  Skip();  // '('
  while (!PeekIs(")")) {
    if (PeekIs("*") || PeekIs("**"))
      return Unsupported(path_, CurrentLine(), Peek()->text + "arguments");
    if (Peek() && Peek()->kind == TokenKind::kName && PeekIs("=", 1)) {
      call.keyword_names.push_back(Peek()->text);
      pos_ += 2;
      SW_ASSIGN_OR_RETURN(Expr value, ParseExpression());
      call.keyword_values.push_back(std::move(value));
    } else {
      if (!call.keyword_names.empty()) {
        std::string callee = call.name.empty() ? std::string("a call") : call.name + "()";
        return LocatedError(path_, CurrentLine(),
                            fmt::format("{}: positional argument after keyword argument", callee));
      }
      SW_ASSIGN_OR_RETURN(Expr value, ParseExpression());
      call.operands.push_back(std::move(value));
    }
    if (!PeekIs(",")) break;
    Skip();
  }
  return Expect(")");
}

Status ExpressionParser::CheckSignature(const Expr& call) const {
  const FunctionSignature* signature = FindFunction(call.name);
  if (!signature) return Status::Ok();
  if (!signature->keyword_args_only && !call.keyword_names.empty())
    return LocatedError(path_, call.line,
                        fmt::format("{}() takes no keyword arguments ('{}=' given)", call.name,
                                    call.keyword_names.front()));
  if (signature->keyword_args_only && !call.operands.empty())
    return LocatedError(path_, call.line,
                        fmt::format("{}() takes keyword arguments only, e.g. "
                                    "{}(materialized='table')",
                                    call.name, call.name));
  const int given = static_cast<int>(call.operands.size());
  if (given < signature->min_args || given > signature->max_args) {
    std::string expected = signature->min_args == signature->max_args
                               ? std::to_string(signature->min_args)
                               : fmt::format("{} to {}", signature->min_args, signature->max_args);
    return LocatedError(path_, call.line,
                        fmt::format("{}() takes {} argument{}, got {}", call.name, expected,
                                    signature->max_args == 1 ? "" : "s", given));
  }
  if (signature->literal_string_args && options_.literal_refs_only) {
    for (const Expr& argument : call.operands) {
      if (argument.kind != Expr::Kind::kLiteral || !argument.literal.is_string())
        return LocatedError(path_, call.line,
                            fmt::format("{}() arguments must be string literals", call.name),
                            "dependencies are read without rendering; write the name out, or "
                            "call a macro that takes the relation as an argument");
    }
  }
  return Status::Ok();
}

}  // namespace silverwork::transform
