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

class StatementParser {
 public:
  StatementParser(std::string_view path, std::vector<Chunk> chunks,
                  const TemplateParseOptions& options)
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

}  // namespace

Result<std::vector<TemplateNode>> ParseStatements(std::string_view path, std::vector<Chunk> chunks,
                                                  const TemplateParseOptions& options) {
  return StatementParser(path, std::move(chunks), options).Run();
}

}  // namespace silverwork::transform
