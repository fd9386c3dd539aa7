#include "transform/template/template.h"

#include <fmt/format.h>

#include "transform/template/errors.h"
#include "transform/template/expression_parser.h"
#include "transform/template/lexer.h"
#include "transform/template/renderer.h"
#include "transform/template/statement_parser.h"

namespace silverwork::transform {

Result<Template> Template::Parse(std::string path, std::string_view source,
                                 const TemplateParseOptions& options) {
  SW_ASSIGN_OR_RETURN(std::vector<Chunk> chunks, Lex(path, source));
  SW_ASSIGN_OR_RETURN(std::vector<TemplateNode> nodes,
                      ParseStatements(path, std::move(chunks), options));
  return Template(std::move(path), std::move(nodes));
}

void Template::ForEachCall(const std::function<void(const Expr&)>& visit) const {
  VisitCalls(nodes_, visit);
}

Result<std::string> Template::Render(TemplateEnvironment& environment,
                                     std::string_view package) const {
  return RenderNodes(path_, nodes_, environment, package);
}

Result<TemplateValue> Template::Evaluate(const Expr& expr, TemplateEnvironment& environment) const {
  return EvaluateExpression(path_, expr, environment);
}

Result<Expr> ParseExpression(std::string_view path, int line, std::string_view text) {
  std::string wrapped = fmt::format("{{{{ {} }}}}", text);
  SW_ASSIGN_OR_RETURN(std::vector<Chunk> chunks, Lex(path, wrapped, line));
  if (chunks.size() != 1 || chunks[0].kind != Chunk::Kind::kOutput)
    return LocatedError(path, line, fmt::format("'{}' is not a single expression", text));
  const TemplateParseOptions options;
  ExpressionParser parser(path, chunks[0].tokens, line, options);
  SW_ASSIGN_OR_RETURN(Expr expr, parser.ParseExpression());
  if (!parser.AtEnd()) return parser.Leftover();
  return expr;
}

}  // namespace silverwork::transform
