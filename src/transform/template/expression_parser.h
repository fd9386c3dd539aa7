// ExpressionParser: the expressions inside {{ }} and {% %} tags, parsed from
// a tag's tokens and checked against the subset here (known names and
// functions, their arities, literal-only arguments of ref and source), so
// rendering never meets an unknown construct.
//
// Precedence, lowest first: or, and, not, comparisons (== != < > <= >= in,
// not in), then literals, lists, names, loop.<attribute> and calls.
//
// One parser reads one tag's tokens once. Not thread-safe.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "transform/template/functions.h"
#include "transform/template/lexer.h"
#include "transform/template/syntax_tree.h"

namespace silverwork::transform {

class ExpressionParser {
 public:
  // `loop_variables`: the names of the for loops around the tag, innermost
  // last; `line` is the tag's line. REQUIRES: the arguments outlive the parser.
  ExpressionParser(std::string_view path, std::span<const Token> tokens,
                   const std::vector<std::string>& loop_variables, int line)
      : path_(path), tokens_(tokens), loop_variables_(loop_variables), line_(line) {}

  Result<Expr> ParseExpression() { return ParseOr(); }

  // Whether every token has been read.
  bool AtEnd() const { return pos_ >= tokens_.size(); }
  // The error for a token left over after a complete expression.
  // REQUIRES: !AtEnd().
  Status Leftover() const;

 private:
  const Token* Peek(size_t ahead = 0) const;
  bool PeekIs(std::string_view text, size_t ahead = 0) const;
  void Skip() { ++pos_; }
  int CurrentLine() const { return AtEnd() ? line_ : tokens_[pos_].line; }
  static std::string TokenText(const Token& token);

  Result<Expr> ParseOr();
  Result<Expr> ParseAnd();
  Result<Expr> ParseNot();
  Result<Expr> ParseCompare();
  static Expr Binary(Expr::Kind kind, std::string op, Expr left, Expr right, int line);
  Status Expect(std::string_view text);
  Result<Expr> ParsePrimary();
  Result<Expr> ParseList();
  Result<Expr> ParseName();
  Result<Expr> ParseAttribute(Expr object);
  Result<Expr> ParseCall(const Token& name);
  Status CheckSignature(const Expr& call, const FunctionSignature& signature) const;

  std::string_view path_;
  std::span<const Token> tokens_;
  const std::vector<std::string>& loop_variables_;
  int line_;
  size_t pos_ = 0;
};

}  // namespace silverwork::transform
