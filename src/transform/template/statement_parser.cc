#include "transform/template/statement_parser.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <initializer_list>
#include <string>

#include "transform/template/errors.h"
#include "transform/template/expression_parser.h"

namespace silverwork::transform {
namespace {

// Closing and middle tags, which only end a block.
constexpr std::array<std::string_view, 10> kClosers{
    "elif", "else", "endif", "endfor", "endset", "endmacro", "endcall", "endsnapshot", "endraw",
    "endfilter"};

// Names a loop variable or set target cannot take.
bool IsReservedTarget(std::string_view name) {
  return name == "loop" || name == "this" || name == "true" || name == "false" ||
         name == "none" || name == "True" || name == "False" || name == "None";
}

class StatementParser {
 public:
  StatementParser(std::string_view path, std::vector<Chunk> chunks,
                  const TemplateParseOptions& options)
      : path_(path), chunks_(std::move(chunks)), options_(options) {}

  Result<std::vector<TemplateNode>> Run() {
    std::string terminator;
    return ParseBlock({}, "", 0, &terminator);
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
        TemplateNode node;
        node.kind = TemplateNode::Kind::kOutput;
        node.line = chunk.line;
        SW_ASSIGN_OR_RETURN(node.expr, ParseWholeExpression(chunk, 0));
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

  // The expression of `chunk` from token `first` to its end.
  Result<Expr> ParseWholeExpression(const Chunk& chunk, size_t first) {
    if (first >= chunk.tokens.size())
      return LocatedError(path_, chunk.line,
                          fmt::format("'{{% {} %}}' needs an expression", chunk.tokens[0].text));
    ExpressionParser parser(path_, std::span(chunk.tokens).subspan(first), chunk.line, options_);
    SW_ASSIGN_OR_RETURN(Expr expr, parser.ParseExpression());
    if (!parser.AtEnd()) return parser.Leftover();
    return expr;
  }

  // As ParseWholeExpression, but `a, b` (a tuple without parentheses, as
  // `{% set x, y = 1, 2 %}` writes it) is a list of both.
  Result<Expr> ParseTupleExpression(const Chunk& chunk, size_t first) {
    if (first >= chunk.tokens.size()) return ParseWholeExpression(chunk, first);
    ExpressionParser parser(path_, std::span(chunk.tokens).subspan(first), chunk.line, options_);
    Expr tuple;
    tuple.kind = Expr::Kind::kList;
    tuple.line = chunk.line;
    while (true) {
      SW_ASSIGN_OR_RETURN(Expr item, parser.ParseExpression());
      tuple.operands.push_back(std::move(item));
      if (!parser.PeekIs(",")) break;
      parser.Skip();
    }
    if (!parser.AtEnd()) return parser.Leftover();
    if (tuple.operands.size() == 1) return std::move(tuple.operands[0]);
    return tuple;
  }

  // REQUIRES: chunks_[pos_] is a statement starting with a name.
  Result<TemplateNode> ParseStatement(const Chunk& chunk) {
    const std::string& keyword = chunk.tokens.front().text;
    if (keyword == "if") return ParseIf(chunk);
    if (keyword == "for") return ParseFor(chunk);
    if (keyword == "set") return ParseSet(chunk);
    if (keyword == "macro") return ParseMacro(chunk);
    if (keyword == "call") return ParseCallBlock(chunk);
    if (keyword == "do") return Single(chunk, TemplateNode::Kind::kDo);
    if (keyword == "break" || keyword == "continue") return ParseLoopControl(chunk);
    if (keyword == "snapshot") return ParseSnapshot(chunk);
    if (std::find(kClosers.begin(), kClosers.end(), keyword) != kClosers.end())
      return LocatedError(path_, chunk.line,
                          fmt::format("'{{% {} %}}' without a matching opening tag", keyword));
    if (keyword == "test" || keyword == "materialization" || keyword == "docs")
      return Unsupported(path_, chunk.line, keyword + " block");
    return Unsupported(path_, chunk.line, keyword);
  }

  // A statement that is one node: {% do expr %}.
  Result<TemplateNode> Single(const Chunk& chunk, TemplateNode::Kind kind) {
    TemplateNode node;
    node.kind = kind;
    node.line = chunk.line;
    SW_ASSIGN_OR_RETURN(node.expr, ParseWholeExpression(chunk, 1));
    ++pos_;
    return node;
  }

  Result<TemplateNode> ParseLoopControl(const Chunk& chunk) {
    const std::string& keyword = chunk.tokens.front().text;
    if (loop_depth_ == 0)
      return LocatedError(path_, chunk.line,
                          fmt::format("'{{% {} %}}' outside a '{{% for %}}' loop", keyword));
    SW_RETURN_IF_ERROR(ExpectBare(chunk));
    TemplateNode node;
    node.kind = keyword == "break" ? TemplateNode::Kind::kBreak : TemplateNode::Kind::kContinue;
    node.line = chunk.line;
    ++pos_;
    return node;
  }

  // The body of the block opened at chunks_[pos_], up to `closer`
  // (`middle` tags end it too and are returned in *found).
  Result<std::vector<TemplateNode>> ParseBody(std::string_view opener, int line,
                                              std::initializer_list<std::string_view> terminators,
                                              std::string* found) {
    ++pos_;
    ++block_depth_;
    auto body = ParseBlock(terminators, opener, line, found);
    --block_depth_;
    return body;
  }

  Result<Expr> ParseCondition(const Chunk& chunk) { return ParseWholeExpression(chunk, 1); }

  Result<TemplateNode> ParseIf(const Chunk& chunk) {
    TemplateNode node;
    node.kind = TemplateNode::Kind::kIf;
    node.line = chunk.line;
    SW_ASSIGN_OR_RETURN(Expr condition, ParseCondition(chunk));
    node.conditions.push_back(std::move(condition));
    while (true) {
      std::string found;
      SW_ASSIGN_OR_RETURN(std::vector<TemplateNode> body,
                          ParseBody("if", node.line, {"elif", "else", "endif"}, &found));
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
    }
  }

  // Names separated by commas from token `*at`, up to `stop` (or the end);
  // advances *at past them.
  Result<std::vector<std::string>> ParseTargets(const Chunk& chunk, size_t* at,
                                                std::string_view stop) {
    std::vector<std::string> targets;
    const auto& tokens = chunk.tokens;
    while (*at < tokens.size()) {
      const Token& token = tokens[*at];
      if (token.kind != TokenKind::kName || IsReservedTarget(token.text))
        return LocatedError(path_, chunk.line,
                            fmt::format("'{}' cannot be assigned to", token.text));
      targets.push_back(token.text);
      ++*at;
      if (*at < tokens.size() && tokens[*at].text == ",") {
        ++*at;
        continue;
      }
      break;
    }
    if (targets.empty() || (*at < tokens.size() && tokens[*at].text != stop) ||
        (*at >= tokens.size() && !stop.empty()))
      return LocatedError(path_, chunk.line,
                          fmt::format("expected '{{% {} name[, name] {} ... %}}'",
                                      tokens.front().text, stop));
    return targets;
  }

  Result<TemplateNode> ParseFor(const Chunk& chunk) {
    TemplateNode node;
    node.kind = TemplateNode::Kind::kFor;
    node.line = chunk.line;
    size_t at = 1;
    SW_ASSIGN_OR_RETURN(node.targets, ParseTargets(chunk, &at, "in"));
    ExpressionParser parser(path_, std::span(chunk.tokens).subspan(at + 1), chunk.line, options_);
    SW_ASSIGN_OR_RETURN(node.expr, parser.ParseExpression(/*allow_conditional=*/false));
    if (parser.PeekIs("if")) {
      parser.Skip();
      SW_ASSIGN_OR_RETURN(Expr filter, parser.ParseExpression(/*allow_conditional=*/false));
      node.conditions.push_back(std::move(filter));
    }
    if (parser.PeekIs("recursive")) return Unsupported(path_, chunk.line, "for ... recursive");
    if (!parser.AtEnd()) return parser.Leftover();
    std::string found;
    ++loop_depth_;
    auto body = ParseBody("for", node.line, {"else", "endfor"}, &found);
    --loop_depth_;
    if (!body.ok()) return body.status();
    node.bodies.push_back(std::move(body).value());
    if (found == "else") {
      SW_RETURN_IF_ERROR(ExpectBare(chunks_[pos_]));
      SW_ASSIGN_OR_RETURN(std::vector<TemplateNode> otherwise,
                          ParseBody("for", node.line, {"endfor"}, &found));
      node.bodies.push_back(std::move(otherwise));
    }
    SW_RETURN_IF_ERROR(ExpectBare(chunks_[pos_]));
    ++pos_;
    return node;
  }

  // {% set a = e %}, {% set a, b = e %}, {% set ns.x = e %}, {% set a %}...{% endset %}.
  Result<TemplateNode> ParseSet(const Chunk& chunk) {
    TemplateNode node;
    node.line = chunk.line;
    const auto& tokens = chunk.tokens;
    if (tokens.size() == 2 && tokens[1].kind == TokenKind::kName) {
      if (IsReservedTarget(tokens[1].text))
        return LocatedError(path_, chunk.line, fmt::format("'{}' cannot be assigned to", tokens[1].text));
      node.kind = TemplateNode::Kind::kSetBlock;
      node.targets = {tokens[1].text};
      std::string found;
      SW_ASSIGN_OR_RETURN(std::vector<TemplateNode> body,
                          ParseBody("set", node.line, {"endset"}, &found));
      node.bodies.push_back(std::move(body));
      SW_RETURN_IF_ERROR(ExpectBare(chunks_[pos_]));
      ++pos_;
      return node;
    }
    node.kind = TemplateNode::Kind::kSet;
    size_t at = 1;
    if (tokens.size() > 4 && tokens[1].kind == TokenKind::kName && tokens[2].text == "." &&
        tokens[3].kind == TokenKind::kName) {
      node.targets = {tokens[1].text};
      node.text = tokens[3].text;
      at = 4;
      if (tokens[at].text != "=")
        return LocatedError(path_, chunk.line, "expected '{% set name.attribute = ... %}'");
    } else {
      if (tokens.size() > 2 && tokens[1].kind == TokenKind::kName && tokens[2].text == "|")
        return Unsupported(path_, chunk.line, "set with a filter");
      SW_ASSIGN_OR_RETURN(node.targets, ParseTargets(chunk, &at, "="));
    }
    SW_ASSIGN_OR_RETURN(node.expr, ParseTupleExpression(chunk, at + 1));
    ++pos_;
    return node;
  }

  // `(name, name=default, ...)` from token `*at`; advances *at past it.
  Result<std::vector<MacroParameter>> ParseParameters(const Chunk& chunk, size_t* at) {
    std::vector<MacroParameter> parameters;
    const auto& tokens = chunk.tokens;
    auto error = [&] {
      return LocatedError(path_, chunk.line,
                          fmt::format("expected '({})' parameters: names, optionally name=default",
                                      tokens.front().text == "call" ? "call" : "macro"));
    };
    if (*at >= tokens.size() || tokens[*at].text != "(") return error();
    ++*at;
    // The parameters' closing ')' at depth 0.
    while (*at < tokens.size() && tokens[*at].text != ")") {
      if (tokens[*at].kind != TokenKind::kName) return error();
      MacroParameter parameter{tokens[*at].text, std::nullopt};
      ++*at;
      if (*at < tokens.size() && tokens[*at].text == "=") {
        size_t end = ++*at;
        for (int depth = 0; end < tokens.size(); ++end) {
          const std::string& text = tokens[end].text;
          if (tokens[end].kind != TokenKind::kString && (text == "(" || text == "[" || text == "{")) ++depth;
          if (tokens[end].kind != TokenKind::kString && (text == ")" || text == "]" || text == "}")) {
            if (depth == 0) break;
            --depth;
          }
          if (depth == 0 && tokens[end].kind != TokenKind::kString && text == ",") break;
        }
        ExpressionParser parser(path_, std::span(tokens).subspan(*at, end - *at), chunk.line, options_);
        SW_ASSIGN_OR_RETURN(Expr value, parser.ParseExpression());
        if (!parser.AtEnd()) return parser.Leftover();
        parameter.default_value = std::move(value);
        *at = end;
      }
      parameters.push_back(std::move(parameter));
      if (*at < tokens.size() && tokens[*at].text == ",") ++*at;
    }
    if (*at >= tokens.size()) return error();
    ++*at;  // ')'
    return parameters;
  }

  // Whether `body` reads `name` (varargs, kwargs).
  static bool Reads(const std::vector<TemplateNode>& body, std::string_view name) {
    bool reads = false;
    VisitExpressions(body, [&](const Expr& expr) {
      reads |= expr.kind == Expr::Kind::kName && expr.name == name;
    });
    return reads;
  }

  Result<TemplateNode> ParseMacro(const Chunk& chunk) {
    if (block_depth_ > 0 || in_snapshot_)
      return LocatedError(path_, chunk.line, "'{% macro %}' must be at the top level of a file");
    if (chunk.tokens.size() < 2 || chunk.tokens[1].kind != TokenKind::kName)
      return LocatedError(path_, chunk.line, "expected '{% macro name(parameters) %}'");
    TemplateNode node;
    node.kind = TemplateNode::Kind::kMacro;
    node.line = chunk.line;
    node.text = chunk.tokens[1].text;
    size_t at = 2;
    SW_ASSIGN_OR_RETURN(node.parameters, ParseParameters(chunk, &at));
    if (at != chunk.tokens.size())
      return LocatedError(path_, chunk.line, "expected '{% macro name(parameters) %}'");
    std::string found;
    const int loops_outside = loop_depth_;
    loop_depth_ = 0;
    auto body = ParseBody("macro", node.line, {"endmacro"}, &found);
    loop_depth_ = loops_outside;
    if (!body.ok()) return body.status();
    node.bodies.push_back(std::move(body).value());
    // {% endmacro name %} is allowed, as Jinja does.
    const Chunk& closer = chunks_[pos_];
    if (closer.tokens.size() > 2 || (closer.tokens.size() == 2 && closer.tokens[1].text != node.text))
      return LocatedError(path_, closer.line,
                          fmt::format("'{{% endmacro %}}' of '{}' names another macro", node.text));
    ++pos_;
    node.takes_varargs = Reads(node.bodies[0], "varargs");
    node.takes_kwargs = Reads(node.bodies[0], "kwargs");
    return node;
  }

  // {% call name(args) %} ... {% endcall %}, or {% call(params) name(args) %}.
  Result<TemplateNode> ParseCallBlock(const Chunk& chunk) {
    TemplateNode node;
    node.kind = TemplateNode::Kind::kCallBlock;
    node.line = chunk.line;
    size_t at = 1;
    if (at < chunk.tokens.size() && chunk.tokens[at].text == "(") {
      SW_ASSIGN_OR_RETURN(node.parameters, ParseParameters(chunk, &at));
    }
    SW_ASSIGN_OR_RETURN(node.expr, ParseWholeExpression(chunk, at));
    if (node.expr.kind != Expr::Kind::kCall && node.expr.kind != Expr::Kind::kMethodCall &&
        node.expr.kind != Expr::Kind::kCallValue)
      return LocatedError(path_, chunk.line, "'{% call %}' needs a macro call, e.g. {% call m() %}");
    std::string found;
    SW_ASSIGN_OR_RETURN(std::vector<TemplateNode> body,
                        ParseBody("call", node.line, {"endcall"}, &found));
    node.bodies.push_back(std::move(body));
    SW_RETURN_IF_ERROR(ExpectBare(chunks_[pos_]));
    ++pos_;
    return node;
  }

  Result<TemplateNode> ParseSnapshot(const Chunk& chunk) {
    if (!options_.allow_snapshot_blocks)
      return LocatedError(path_, chunk.line,
                          "'{% snapshot %}' blocks belong in files under snapshot-paths");
    if (in_snapshot_ || block_depth_ > 0)
      return LocatedError(path_, chunk.line, "'{% snapshot %}' blocks cannot be nested");
    if (chunk.tokens.size() != 2 || chunk.tokens[1].kind != TokenKind::kName)
      return LocatedError(path_, chunk.line, "expected '{% snapshot name %}'");
    TemplateNode node;
    node.kind = TemplateNode::Kind::kSnapshot;
    node.line = chunk.line;
    node.text = chunk.tokens[1].text;
    in_snapshot_ = true;
    std::string found;
    auto body = ParseBody("snapshot", node.line, {"endsnapshot"}, &found);
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
  int block_depth_ = 0;
  int loop_depth_ = 0;
  bool in_snapshot_ = false;
};

}  // namespace

Result<std::vector<TemplateNode>> ParseStatements(std::string_view path, std::vector<Chunk> chunks,
                                                  const TemplateParseOptions& options) {
  return StatementParser(path, std::move(chunks), options).Run();
}

}  // namespace silverwork::transform
