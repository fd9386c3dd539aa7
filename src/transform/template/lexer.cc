#include "transform/template/lexer.h"

#include <fmt/format.h>

#include <array>
#include <cctype>

#include "transform/template/errors.h"

namespace silverwork::transform {
namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

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
    if (chunk.kind == Chunk::Kind::kStatement && chunk.tokens.size() == 1 &&
        chunk.tokens[0].text == "raw")
      return LexRaw(tag_line, strip_leading);
    chunks_.push_back(std::move(chunk));
    return Status::Ok();
  }

  // The text of {% raw %} ... {% endraw %}, copied as it is; the tags'
  // whitespace control applies to its ends.
  Status LexRaw(int tag_line, bool* strip_leading) {
    for (size_t at = source_.find("{%", pos_); at != std::string_view::npos;
         at = source_.find("{%", at + 2)) {
      size_t cursor = at + 2;
      const bool strip_before = cursor < source_.size() && source_[cursor] == '-';
      if (strip_before) ++cursor;
      while (cursor < source_.size() && IsBlank(source_[cursor])) ++cursor;
      if (source_.substr(cursor, 6) != "endraw") continue;
      cursor += 6;
      while (cursor < source_.size() && IsBlank(source_[cursor])) ++cursor;
      const bool strip_after = cursor < source_.size() && source_[cursor] == '-';
      if (strip_after) ++cursor;
      if (source_.substr(cursor, 2) != "%}") continue;
      std::string text(source_.substr(pos_, at - pos_));
      if (*strip_leading) text.erase(0, text.find_first_not_of(" \t\n\r\f"));
      if (strip_before) text.erase(text.find_last_not_of(" \t\n\r\f") + 1);
      if (!text.empty()) chunks_.push_back({Chunk::Kind::kText, line_, std::move(text), {}});
      Advance(cursor + 2 - pos_);
      *strip_leading = strip_after;
      return Status::Ok();
    }
    return LocatedError(path_, tag_line,
                        "'{% raw %}' is never closed (missing '{% endraw %}')");
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
    static constexpr std::array<std::string_view, 6> kTwoChar{"==", "!=", "<=", ">=", "//", "**"};
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

}  // namespace

Result<std::vector<Chunk>> Lex(std::string_view path, std::string_view source, int first_line) {
  return Lexer(path, source, first_line).Run();
}

}  // namespace silverwork::transform
