#include "transform/template/template.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

#include "transform/adapter.h"

namespace silverwork::transform {
namespace {

constexpr std::string_view kSubsetHint =
    "models use the Jinja subset listed in docs/transform.md; rewrite the construct with it";

Status LocatedError(std::string_view path, int line, const std::string& message,
                    std::string_view hint = {}) {
  return Status(ErrorCode::kInvalidInput, fmt::format("{}:{}: {}", path, line, message),
                std::string(hint));
}

Status Unsupported(std::string_view path, int line, std::string_view construct) {
  return LocatedError(path, line, fmt::format("unsupported template construct '{}'", construct),
                      kSubsetHint);
}

// Built-in functions: arity and whether arguments must be string literals
// (ref and source, so dependencies are known without rendering).
struct BuiltinSignature {
  std::string_view name;
  int min_args;
  int max_args;
  bool literal_string_args;
  bool keyword_args_only;
};

constexpr std::array<BuiltinSignature, 5> kBuiltins{{
    {"ref", 1, 1, true, false},
    {"source", 2, 2, true, false},
    {"config", 0, 0, false, true},
    {"var", 1, 2, false, false},
    {"is_incremental", 0, 0, false, false},
}};

const std::vector<std::string_view>& AllFunctionNames() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> all;
    for (const auto& builtin : kBuiltins) all.push_back(builtin.name);
    for (const auto& macro : AdapterMacroSignatures()) all.push_back(macro.name);
    return all;
  }();
  return names;
}

constexpr std::array<std::string_view, 5> kLoopAttributes{"index", "index0", "first", "last",
                                                          "length"};

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

// ---------------------------------------------------------------------------
// Lexing: the source becomes chunks of text, {{ output }} and {% statement %},
// the tags already split into tokens. Comments are dropped here.

enum class TokenKind { kName, kString, kInteger, kReal, kOperator };

struct Token {
  TokenKind kind = TokenKind::kOperator;
  std::string text;  // name, operator, or the decoded string literal
  int line = 0;
  TemplateValue value;  // numeric literals
};

struct Chunk {
  enum class Kind { kText, kOutput, kStatement };
  Kind kind = Kind::kText;
  int line = 0;
  std::string text;
  std::vector<Token> tokens;
};

class Lexer {
 public:
  // `first_line` is the line `source` starts on in its file.
  Lexer(std::string_view path, std::string_view source, int first_line = 1)
      : path_(path), source_(source), line_(first_line) {}

  Result<std::vector<Chunk>> Run() {
    bool strip_leading = false;
    while (pos_ < source_.size()) {
      size_t open = FindTagOpen(pos_);
      std::string_view text = source_.substr(pos_, open - pos_);
      if (strip_leading) {
        while (!text.empty() && IsBlank(text.front())) {
          Advance(1);
          text.remove_prefix(1);
        }
      }
      if (!text.empty()) chunks_.push_back({Chunk::Kind::kText, line_, std::string(text), {}});
      Advance(open - pos_);
      if (pos_ >= source_.size()) break;
      SW_RETURN_IF_ERROR(LexTag(&strip_leading));
    }
    return std::move(chunks_);
  }

 private:
  size_t FindTagOpen(size_t from) const {
    for (size_t i = from; i + 1 < source_.size(); ++i) {
      if (source_[i] == '{' &&
          (source_[i + 1] == '{' || source_[i + 1] == '%' || source_[i + 1] == '#'))
        return i;
    }
    return source_.size();
  }

  void Advance(size_t count) {
    for (size_t i = 0; i < count && pos_ < source_.size(); ++i, ++pos_)
      if (source_[pos_] == '\n') ++line_;
  }

  void StripTrailingWhitespaceOfLastText() {
    if (chunks_.empty() || chunks_.back().kind != Chunk::Kind::kText) return;
    std::string& text = chunks_.back().text;
    while (!text.empty() && IsBlank(text.back())) text.pop_back();
    if (text.empty()) chunks_.pop_back();
  }

  Status LexTag(bool* strip_leading) {
    const int tag_line = line_;
    const char kind = source_[pos_ + 1];
    Advance(2);
    if (pos_ < source_.size() && source_[pos_] == '-') {
      StripTrailingWhitespaceOfLastText();
      Advance(1);
    }
    if (kind == '#') return LexComment(tag_line, strip_leading);

    const char closer = kind == '{' ? '}' : '%';
    Chunk chunk{kind == '{' ? Chunk::Kind::kOutput : Chunk::Kind::kStatement, tag_line, {}, {}};
    while (true) {
      while (pos_ < source_.size() && IsBlank(source_[pos_])) Advance(1);
      if (pos_ >= source_.size()) {
        return LocatedError(path_, tag_line,
                            fmt::format("'{}{}' is never closed", '{', kind == '{' ? '{' : '%'));
      }
      if (ClosesAt(pos_, closer)) {
        Advance(2);
        *strip_leading = false;
        break;
      }
      if (source_[pos_] == '-' && ClosesAt(pos_ + 1, closer)) {
        Advance(3);
        *strip_leading = true;
        break;
      }
      SW_ASSIGN_OR_RETURN(Token token, LexToken());
      chunk.tokens.push_back(std::move(token));
    }
    if (chunk.tokens.empty()) {
      return LocatedError(path_, tag_line,
                          kind == '{' ? "empty expression '{{ }}'" : "empty statement '{% %}'");
    }
    chunks_.push_back(std::move(chunk));
    return Status::Ok();
  }

  bool ClosesAt(size_t at, char closer) const {
    return at + 1 < source_.size() && source_[at] == closer && source_[at + 1] == '}';
  }

  Status LexComment(int tag_line, bool* strip_leading) {
    size_t close = source_.find("#}", pos_);
    if (close == std::string_view::npos)
      return LocatedError(path_, tag_line, "comment '{#' is never closed");
    *strip_leading = close > pos_ && source_[close - 1] == '-';
    Advance(close + 2 - pos_);
    return Status::Ok();
  }

  Result<Token> LexToken() {
    Token token;
    token.line = line_;
    const char c = source_[pos_];
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      size_t end = pos_;
      while (end < source_.size() &&
             (std::isalnum(static_cast<unsigned char>(source_[end])) || source_[end] == '_'))
        ++end;
      token.kind = TokenKind::kName;
      token.text = std::string(source_.substr(pos_, end - pos_));
      Advance(end - pos_);
      return token;
    }
    if (std::isdigit(static_cast<unsigned char>(c))) return LexNumber();
    if (c == '\'' || c == '"') return LexString();
    static constexpr std::array<std::string_view, 4> kTwoChar{"==", "!=", "<=", ">="};
    for (std::string_view op : kTwoChar) {
      if (source_.substr(pos_, 2) == op) {
        token.text = std::string(op);
        Advance(2);
        return token;
      }
    }
    static constexpr std::string_view kOneChar = "()[],=.<>|~+-*/%:{}!";
    if (kOneChar.find(c) != std::string_view::npos) {
      token.text = std::string(1, c);
      Advance(1);
      return token;
    }
    return LocatedError(path_, line_, fmt::format("unexpected character '{}' in a tag", c));
  }

  Result<Token> LexNumber() {
    Token token;
    token.line = line_;
    size_t end = pos_;
    bool real = false;
    while (end < source_.size() && (std::isdigit(static_cast<unsigned char>(source_[end])) ||
                                    (source_[end] == '.' && !real && end + 1 < source_.size() &&
                                     std::isdigit(static_cast<unsigned char>(source_[end + 1]))))) {
      if (source_[end] == '.') real = true;
      ++end;
    }
    token.text = std::string(source_.substr(pos_, end - pos_));
    token.value = TemplateValue::FromText(token.text);
    if (!token.value.is_number()) token.value = std::stod(token.text);
    token.kind = token.value.is_int() ? TokenKind::kInteger : TokenKind::kReal;
    Advance(end - pos_);
    return token;
  }

  Result<Token> LexString() {
    Token token;
    token.kind = TokenKind::kString;
    token.line = line_;
    const char quote = source_[pos_];
    size_t i = pos_ + 1;
    for (; i < source_.size() && source_[i] != quote; ++i) {
      char c = source_[i];
      if (c == '\\' && i + 1 < source_.size()) {
        char escaped = source_[++i];
        switch (escaped) {
          case 'n':
            token.text += '\n';
            break;
          case 't':
            token.text += '\t';
            break;
          default:
            token.text += escaped;
            break;
        }
      } else {
        token.text += c;
      }
    }
    if (i >= source_.size()) return LocatedError(path_, line_, "string literal is never closed");
    Advance(i + 1 - pos_);
    return token;
  }

  std::string_view path_;
  std::string_view source_;
  size_t pos_ = 0;
  int line_;
  std::vector<Chunk> chunks_;
};

// ---------------------------------------------------------------------------
// Parsing: chunks become the node tree; expressions are checked against the
// subset here, so rendering never meets an unknown construct.

class ExpressionParser {
 public:
  ExpressionParser(std::string_view path, std::span<const Token> tokens,
                   const std::vector<std::string>& loop_variables, int line)
      : path_(path), tokens_(tokens), loop_variables_(loop_variables), line_(line) {}

  bool AtEnd() const { return pos_ >= tokens_.size(); }
  const Token* Peek(size_t ahead = 0) const {
    return pos_ + ahead < tokens_.size() ? &tokens_[pos_ + ahead] : nullptr;
  }
  bool PeekIs(std::string_view text, size_t ahead = 0) const {
    const Token* token = Peek(ahead);
    return token && (token->kind == TokenKind::kName || token->kind == TokenKind::kOperator) &&
           token->text == text;
  }
  size_t position() const { return pos_; }
  void Skip() { ++pos_; }
  int CurrentLine() const { return AtEnd() ? line_ : tokens_[pos_].line; }

  Result<Expr> ParseExpression() { return ParseOr(); }

  // The error for a token left over after a complete expression.
  Status Leftover() const {
    const Token& token = tokens_[pos_];
    if (token.text == "|" && pos_ + 1 < tokens_.size())
      return Unsupported(path_, token.line, "| " + tokens_[pos_ + 1].text);
    return Unsupported(path_, token.line, TokenText(token));
  }

 private:
  static std::string TokenText(const Token& token) {
    return token.kind == TokenKind::kString ? fmt::format("'{}'", token.text) : token.text;
  }

  Result<Expr> ParseOr() {
    SW_ASSIGN_OR_RETURN(Expr left, ParseAnd());
    while (PeekIs("or")) {
      int line = Peek()->line;
      Skip();
      SW_ASSIGN_OR_RETURN(Expr right, ParseAnd());
      left = Binary(Expr::Kind::kOr, "or", std::move(left), std::move(right), line);
    }
    return left;
  }

  Result<Expr> ParseAnd() {
    SW_ASSIGN_OR_RETURN(Expr left, ParseNot());
    while (PeekIs("and")) {
      int line = Peek()->line;
      Skip();
      SW_ASSIGN_OR_RETURN(Expr right, ParseNot());
      left = Binary(Expr::Kind::kAnd, "and", std::move(left), std::move(right), line);
    }
    return left;
  }

  Result<Expr> ParseNot() {
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

  Result<Expr> ParseCompare() {
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

  static Expr Binary(Expr::Kind kind, std::string op, Expr left, Expr right, int line) {
    Expr expr;
    expr.kind = kind;
    expr.name = std::move(op);
    expr.line = line;
    expr.operands.push_back(std::move(left));
    expr.operands.push_back(std::move(right));
    return expr;
  }

  Status Expect(std::string_view text) {
    if (PeekIs(text)) {
      Skip();
      return Status::Ok();
    }
    if (AtEnd()) return LocatedError(path_, CurrentLine(), fmt::format("expected '{}'", text));
    return LocatedError(path_, CurrentLine(),
                        fmt::format("expected '{}', found {}", text, TokenText(*Peek())));
  }

  Result<Expr> ParsePrimary() {
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

  Result<Expr> ParseList() {
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

  Result<Expr> ParseName() {
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

  Result<Expr> ParseAttribute(Expr object) {
    Skip();  // '.'
    const Token* attribute = Peek();
    if (!attribute || attribute->kind != TokenKind::kName)
      return LocatedError(path_, object.line, "expected an attribute name after '.'");
    std::string construct = object.name + "." + attribute->text;
    bool allowed = object.name == "loop" &&
                   std::find(kLoopAttributes.begin(), kLoopAttributes.end(), attribute->text) !=
                       kLoopAttributes.end();
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

  Result<Expr> ParseCall(const Token& name) {
    const auto& functions = AllFunctionNames();
    if (std::find(functions.begin(), functions.end(), name.text) == functions.end())
      return Unsupported(path_, name.line, name.text + "()");
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
    SW_RETURN_IF_ERROR(CheckSignature(call));
    return call;
  }

  Status CheckSignature(const Expr& call) const {
    int min_args = 0;
    int max_args = 0;
    bool literal_strings = false;
    bool keyword_only = false;
    if (const AdapterMacroSignature* macro = FindAdapterMacro(call.name)) {
      min_args = macro->min_args;
      max_args = macro->max_args;
    } else {
      for (const auto& builtin : kBuiltins) {
        if (builtin.name != call.name) continue;
        min_args = builtin.min_args;
        max_args = builtin.max_args;
        literal_strings = builtin.literal_string_args;
        keyword_only = builtin.keyword_args_only;
      }
    }
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

  std::string_view path_;
  std::span<const Token> tokens_;
  const std::vector<std::string>& loop_variables_;
  int line_;
  size_t pos_ = 0;
};

class Parser {
 public:
  Parser(std::string_view path, std::vector<Chunk> chunks, const TemplateParseOptions& options)
      : path_(path), chunks_(std::move(chunks)), options_(options) {}

  Result<std::vector<TemplateNode>> Run() {
    std::string terminator;
    SW_ASSIGN_OR_RETURN(std::vector<TemplateNode> nodes, ParseBlock({}, "", 0, &terminator));
    return nodes;
  }

 private:
  // Parses nodes until one of `terminators` (returned in *found) or the end.
  // `opener` and `opener_line` describe the block for "never closed" errors.
  Result<std::vector<TemplateNode>> ParseBlock(std::initializer_list<std::string_view> terminators,
                                               std::string_view opener, int opener_line,
                                               std::string* found) {
    std::vector<TemplateNode> nodes;
    while (pos_ < chunks_.size()) {
      Chunk& chunk = chunks_[pos_];
      if (chunk.kind == Chunk::Kind::kText) {
        TemplateNode node;
        node.kind = TemplateNode::Kind::kText;
        node.line = chunk.line;
        node.text = std::move(chunk.text);
        nodes.push_back(std::move(node));
        ++pos_;
        continue;
      }
      if (chunk.kind == Chunk::Kind::kOutput) {
        SW_ASSIGN_OR_RETURN(TemplateNode node, ParseOutput(chunk));
        nodes.push_back(std::move(node));
        ++pos_;
        continue;
      }
      const Token& keyword = chunk.tokens.front();
      if (keyword.kind != TokenKind::kName) return Unsupported(path_, chunk.line, keyword.text);
      for (std::string_view terminator : terminators) {
        if (keyword.text == terminator) {
          *found = keyword.text;
          return nodes;
        }
      }
      SW_ASSIGN_OR_RETURN(TemplateNode node, ParseStatement(chunk));
      nodes.push_back(std::move(node));
    }
    if (terminators.size() != 0) {
      return LocatedError(path_, opener_line,
                          fmt::format("'{{% {} %}}' is never closed (missing '{{% {} %}}')", opener,
                                      *(terminators.end() - 1)));
    }
    return nodes;
  }

  Result<TemplateNode> ParseOutput(const Chunk& chunk) {
    ExpressionParser parser(path_, chunk.tokens, loop_variables_, chunk.line);
    TemplateNode node;
    node.kind = TemplateNode::Kind::kOutput;
    node.line = chunk.line;
    SW_ASSIGN_OR_RETURN(node.expr, parser.ParseExpression());
    if (!parser.AtEnd()) return parser.Leftover();
    return node;
  }

  // REQUIRES: chunks_[pos_] is a statement starting with a name.
  Result<TemplateNode> ParseStatement(const Chunk& chunk) {
    const std::string& keyword = chunk.tokens.front().text;
    if (keyword == "if") return ParseIf(chunk);
    if (keyword == "for") return ParseFor(chunk);
    if (keyword == "snapshot") return ParseSnapshot(chunk);
    static constexpr std::array<std::string_view, 5> kClosers{"elif", "else", "endif", "endfor",
                                                              "endsnapshot"};
    if (std::find(kClosers.begin(), kClosers.end(), keyword) != kClosers.end())
      return LocatedError(path_, chunk.line,
                          fmt::format("'{{% {} %}}' without a matching opening tag", keyword));
    return Unsupported(path_, chunk.line, keyword);
  }

  // Parses the condition after the keyword of an if/elif chunk.
  Result<Expr> ParseCondition(const Chunk& chunk) {
    ExpressionParser parser(path_, std::span(chunk.tokens).subspan(1), loop_variables_, chunk.line);
    SW_ASSIGN_OR_RETURN(Expr condition, parser.ParseExpression());
    if (!parser.AtEnd()) return parser.Leftover();
    return condition;
  }

  Result<TemplateNode> ParseIf(const Chunk& chunk) {
    TemplateNode node;
    node.kind = TemplateNode::Kind::kIf;
    node.line = chunk.line;
    SW_ASSIGN_OR_RETURN(Expr condition, ParseCondition(chunk));
    node.conditions.push_back(std::move(condition));
    ++pos_;
    while (true) {
      std::string found;
      SW_ASSIGN_OR_RETURN(std::vector<TemplateNode> body,
                          ParseBlock({"elif", "else", "endif"}, "if", node.line, &found));
      node.bodies.push_back(std::move(body));
      const Chunk& closer = chunks_[pos_];
      if (found == "endif") {
        SW_RETURN_IF_ERROR(ExpectBare(closer));
        ++pos_;
        return node;
      }
      if (node.bodies.size() > node.conditions.size())  // a branch after {% else %}
        return LocatedError(path_, closer.line,
                            fmt::format("'{{% {} %}}' after '{{% else %}}'", found));
      if (found == "elif") {
        SW_ASSIGN_OR_RETURN(Expr elif_condition, ParseCondition(closer));
        node.conditions.push_back(std::move(elif_condition));
      } else {
        SW_RETURN_IF_ERROR(ExpectBare(closer));
      }
      ++pos_;
    }
  }

  Result<TemplateNode> ParseFor(const Chunk& chunk) {
    const auto& tokens = chunk.tokens;
    if (tokens.size() < 4 || tokens[1].kind != TokenKind::kName || tokens[2].text != "in")
      return LocatedError(path_, chunk.line, "expected '{% for name in [...] %}'");
    if (tokens[1].text == "loop" || tokens[1].text == "this")
      return LocatedError(path_, chunk.line,
                          fmt::format("'{}' cannot be a loop variable", tokens[1].text));
    TemplateNode node;
    node.kind = TemplateNode::Kind::kFor;
    node.line = chunk.line;
    node.text = tokens[1].text;
    ExpressionParser parser(path_, std::span(tokens).subspan(3), loop_variables_, chunk.line);
    SW_ASSIGN_OR_RETURN(node.expr, parser.ParseExpression());
    if (!parser.AtEnd()) return parser.Leftover();
    ++pos_;
    loop_variables_.push_back(node.text);
    std::string found;
    auto body = ParseBlock({"endfor"}, "for", node.line, &found);
    loop_variables_.pop_back();
    if (!body.ok()) return body.status();
    SW_RETURN_IF_ERROR(ExpectBare(chunks_[pos_]));
    ++pos_;
    node.bodies.push_back(std::move(body).value());
    return node;
  }

  Result<TemplateNode> ParseSnapshot(const Chunk& chunk) {
    if (!options_.allow_snapshot_blocks)
      return LocatedError(path_, chunk.line,
                          "'{% snapshot %}' blocks belong in files under snapshot-paths");
    if (in_snapshot_)
      return LocatedError(path_, chunk.line, "'{% snapshot %}' blocks cannot be nested");
    if (chunk.tokens.size() != 2 || chunk.tokens[1].kind != TokenKind::kName)
      return LocatedError(path_, chunk.line, "expected '{% snapshot name %}'");
    TemplateNode node;
    node.kind = TemplateNode::Kind::kSnapshot;
    node.line = chunk.line;
    node.text = chunk.tokens[1].text;
    ++pos_;
    in_snapshot_ = true;
    std::string found;
    auto body = ParseBlock({"endsnapshot"}, "snapshot", node.line, &found);
    in_snapshot_ = false;
    if (!body.ok()) return body.status();
    SW_RETURN_IF_ERROR(ExpectBare(chunks_[pos_]));
    ++pos_;
    node.bodies.push_back(std::move(body).value());
    return node;
  }

  // {% else %}, {% endif %} ... take nothing after the keyword.
  Status ExpectBare(const Chunk& chunk) const {
    if (chunk.tokens.size() == 1) return Status::Ok();
    return LocatedError(
        path_, chunk.line,
        fmt::format("'{{% {} %}}' takes nothing after the keyword", chunk.tokens.front().text));
  }

  std::string_view path_;
  std::vector<Chunk> chunks_;
  TemplateParseOptions options_;
  size_t pos_ = 0;
  std::vector<std::string> loop_variables_;
  bool in_snapshot_ = false;
};

// ---------------------------------------------------------------------------
// Rendering.

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

void VisitCalls(const Expr& expr, const std::function<void(const Expr&)>& visit) {
  if (expr.kind == Expr::Kind::kCall) visit(expr);
  for (const Expr& operand : expr.operands) VisitCalls(operand, visit);
  for (const Expr& value : expr.keyword_values) VisitCalls(value, visit);
}

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

}  // namespace

// ---------------------------------------------------------------------------

bool TemplateValue::Truthy() const {
  if (is_none()) return false;
  if (is_bool()) return as_bool();
  if (is_number()) return as_number() != 0;
  if (is_string()) return !as_string().empty();
  return !as_list().empty();
}

std::string TemplateValue::Render() const {
  if (is_none()) return "None";
  if (is_bool()) return as_bool() ? "True" : "False";
  if (is_int()) return std::to_string(as_int());
  if (is_real()) return fmt::format("{}", std::get<double>(data_));
  if (is_string()) return as_string();
  std::string out = "[";
  for (const TemplateValue& item : as_list()) {
    if (out.size() > 1) out += ", ";
    out += item.is_string() ? "'" + item.as_string() + "'" : item.Render();
  }
  return out + "]";
}

const char* TemplateValue::TypeName() const {
  if (is_none()) return "none";
  if (is_bool()) return "boolean";
  if (is_int()) return "integer";
  if (is_real()) return "real";
  if (is_string()) return "string";
  return "list";
}

bool operator==(const TemplateValue& a, const TemplateValue& b) {
  if (a.is_number() && b.is_number()) return a.as_number() == b.as_number();
  return a.data_ == b.data_;
}

TemplateValue TemplateValue::FromText(std::string_view text) {
  if (text == "true" || text == "True") return true;
  if (text == "false" || text == "False") return false;
  std::string_view digits = text;
  if (!digits.empty() && digits.front() == '-') digits.remove_prefix(1);
  if (digits.empty() || !std::isdigit(static_cast<unsigned char>(digits.front())))
    return std::string(text);
  // A leading zero followed by another digit marks a code ("007"), not a number.
  if (digits.size() > 1 && digits[0] == '0' && std::isdigit(static_cast<unsigned char>(digits[1])))
    return std::string(text);
  int64_t integer = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), integer);
  if (error == std::errc() && end == text.data() + text.size()) return integer;
  double real = 0;
  auto [real_end, real_error] = std::from_chars(text.data(), text.data() + text.size(), real);
  if (real_error == std::errc() && real_end == text.data() + text.size()) return real;
  return std::string(text);
}

const TemplateValue* CallArguments::Keyword(std::string_view name) const {
  for (const auto& [key, value] : keyword)
    if (key == name) return &value;
  return nullptr;
}

Result<Template> Template::Parse(std::string path, std::string_view source,
                                 const TemplateParseOptions& options) {
  SW_ASSIGN_OR_RETURN(std::vector<Chunk> chunks, Lexer(path, source).Run());
  SW_ASSIGN_OR_RETURN(std::vector<TemplateNode> nodes,
                      Parser(path, std::move(chunks), options).Run());
  return Template(std::move(path), std::move(nodes));
}

void Template::ForEachCall(const std::function<void(const Expr&)>& visit) const {
  VisitCalls(nodes_, visit);
}

Result<std::string> Template::Render(TemplateEnvironment& environment) const {
  std::string out;
  Renderer renderer(path_, environment);
  SW_RETURN_IF_ERROR(renderer.RenderNodes(nodes_, out));
  return out;
}

Result<TemplateValue> Template::Evaluate(const Expr& expr, TemplateEnvironment& environment) const {
  return Renderer(path_, environment).Evaluate(expr);
}

Result<Expr> ParseExpression(std::string_view path, int line, std::string_view text) {
  std::string wrapped = fmt::format("{{{{ {} }}}}", text);
  SW_ASSIGN_OR_RETURN(std::vector<Chunk> chunks, Lexer(path, wrapped, line).Run());
  if (chunks.size() != 1 || chunks[0].kind != Chunk::Kind::kOutput)
    return LocatedError(path, line, fmt::format("'{}' is not a single expression", text));
  const std::vector<std::string> no_loops;
  ExpressionParser parser(path, chunks[0].tokens, no_loops, line);
  SW_ASSIGN_OR_RETURN(Expr expr, parser.ParseExpression());
  if (!parser.AtEnd()) return parser.Leftover();
  return expr;
}

std::span<const std::string_view> BuiltinFunctions() { return AllFunctionNames(); }

}  // namespace silverwork::transform
