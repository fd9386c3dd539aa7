// Lexing, the first step of parsing a template: the source becomes chunks of
// text, {{ output }} and {% statement %}, each tag already split into
// tokens. Comments are dropped and whitespace control ({%-, -%}, ...) is
// applied here. Pure functions over their arguments; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "transform/template/value.h"

namespace silverwork::transform {

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

// The chunks of `source`; `path` names the file in errors and `first_line`
// is the line `source` starts on in it.
Result<std::vector<Chunk>> Lex(std::string_view path, std::string_view source, int first_line = 1);

}  // namespace silverwork::transform
