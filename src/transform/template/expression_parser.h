// ExpressionParser: the expressions inside {{ }} and {% %} tags, parsed from
// a tag's tokens with Jinja's grammar and checked where it can be without
// rendering: filter and test names, the calls of ref, source, config, var,
// is_incremental, env_var and return (functions.h), literal-only arguments
// of ref and source. Names are resolved when rendering (scopes, macros).
//
// Precedence, lowest first: `a if c else b`; or; and; not; comparisons
// (== != < > <= >= in, not in); + -; ~; * / // %; **; unary -; then
// postfix (.attr, [index], [a:b], (call)), filters (| f) and tests
// (is [not] t) on a primary (literal, name, list, tuple, dict, parentheses).
//
// One parser reads one tag's tokens once. Not thread-safe.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "transform/template/lexer.h"
#include "transform/template/syntax_tree.h"

namespace silverwork::transform {

class ExpressionParser {
 public:
  // `line` is the tag's line. REQUIRES: the arguments outlive the parser.
  ExpressionParser(std::string_view path, std::span<const Token> tokens, int line,
                   const TemplateParseOptions& options)
      : path_(path), tokens_(tokens), options_(options), line_(line) {}

  // A whole expression; `allow_conditional` false leaves a trailing `if`
  // to the caller ({% for x in xs if cond %}).
  Result<Expr> ParseExpression(bool allow_conditional = true);

  // Whether every token has been read.
  bool AtEnd() const { return pos_ >= tokens_.size(); }
  // The error for a token left over after a complete expression.
  // REQUIRES: !AtEnd().
  Status Leftover() const;
  // Whether the next token is the name or operator `text`; Skip() reads it.
  bool PeekIs(std::string_view text, size_t ahead = 0) const;
  void Skip() { ++pos_; }

 private:
  const Token* Peek(size_t ahead = 0) const;
  int CurrentLine() const { return AtEnd() ? line_ : tokens_[pos_].line; }
  static std::string TokenText(const Token& token);
  Status Expect(std::string_view text);
  static Expr Binary(Expr::Kind kind, std::string op, Expr left, Expr right, int line);

  Result<Expr> ParseConditional();
  Result<Expr> ParseOr();
  Result<Expr> ParseAnd();
  Result<Expr> ParseNot();
  Result<Expr> ParseCompare();
  // + -, ~, * / // %, **: one level each, left to right.
  Result<Expr> ParseArithmetic(int level);
  // A unary expression; with_filters false leaves | and `is` to the caller.
  Result<Expr> ParseUnary(bool with_filters = true);
  Result<Expr> ParsePostfix(Expr subject);
  Result<Expr> ParseFilter(Expr subject);
  Result<Expr> ParseTest(Expr subject);
  Result<Expr> ParsePrimary();
  Result<Expr> ParseParenthesized();
  Result<Expr> ParseList();
  Result<Expr> ParseDict();
  Result<Expr> ParseName();
  Result<Expr> ParseSubscript(Expr subject);
  // Reads `( args )` into `call`'s operands (after those it holds) and keywords.
  Status ParseArguments(Expr& call);
  Status CheckSignature(const Expr& call) const;

  std::string_view path_;
  std::span<const Token> tokens_;
  const TemplateParseOptions& options_;
  int line_;
  size_t pos_ = 0;
};

}  // namespace silverwork::transform
