#include "warehouse/postgres/postgres_sql_text.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace silverwork::postgres {
namespace {

bool IsIdentifierStart(char ch) {
  const auto byte = static_cast<unsigned char>(ch);
  return std::isalpha(byte) || ch == '_' || byte >= 0x80;
}

bool IsIdentifierChar(char ch) {
  return IsIdentifierStart(ch) || std::isdigit(static_cast<unsigned char>(ch)) || ch == '$';
}

bool IsDigit(char ch) { return std::isdigit(static_cast<unsigned char>(ch)) != 0; }

// Walks the statement once, copying it and rewriting placeholders.
class PlaceholderScanner {
 public:
  explicit PlaceholderScanner(std::string_view sql) : sql_(sql) {
    result_.sql.reserve(sql.size() + 8);
  }

  PlaceholderTranslation Run() {
    while (at_ < sql_.size()) Step();
    return std::move(result_);
  }

 private:
  void Step() {
    const char ch = sql_[at_];
    const bool after_identifier = at_ > 0 && IsIdentifierChar(sql_[at_ - 1]);
    if (ch == '-' && Next() == '-') return SkipLineComment();
    if (ch == '/' && Next() == '*') return SkipBlockComment();
    if (std::isspace(static_cast<unsigned char>(ch))) return Copy(1);
    if (ch == ';') {
      after_semicolon_ = true;
      return Copy(1);
    }
    if (after_semicolon_) result_.several_statements = true;
    if (ch == '\'') return CopyString(EscapeStringPrefix());
    if (ch == '"') return CopyQuoted('"', /*backslash_escapes=*/false);
    if (ch == '?') return TranslateQuestionMark();
    if (ch == '$' && !after_identifier) {
      if (IsDigit(Next())) return CopyNumberedParameter();
      if (size_t tag = DollarTagLength(); tag > 0) return CopyDollarQuoted(tag);
    }
    Copy(1);
  }

  char Next() const { return at_ + 1 < sql_.size() ? sql_[at_ + 1] : '\0'; }

  void Copy(size_t count) {
    count = std::min(count, sql_.size() - at_);
    result_.sql.append(sql_.substr(at_, count));
    at_ += count;
  }

  void SkipLineComment() {
    const size_t end = sql_.find('\n', at_);
    Copy(end == std::string_view::npos ? sql_.size() - at_ : end - at_);
  }

  void SkipBlockComment() {
    size_t end = at_ + 2;
    int depth = 1;
    while (end < sql_.size() && depth > 0) {
      if (sql_.compare(end, 2, "/*") == 0) {
        ++depth;
        end += 2;
      } else if (sql_.compare(end, 2, "*/") == 0) {
        --depth;
        end += 2;
      } else {
        ++end;
      }
    }
    Copy(end - at_);
  }

  // E'...' (or e'...') takes backslash escapes; an E that ends a longer
  // word (`some'x'`) does not start one.
  bool EscapeStringPrefix() const {
    if (at_ == 0 || (sql_[at_ - 1] != 'E' && sql_[at_ - 1] != 'e')) return false;
    return at_ == 1 || !IsIdentifierChar(sql_[at_ - 2]);
  }

  void CopyString(bool backslash_escapes) { CopyQuoted('\'', backslash_escapes); }

  // From the opening quote through the closing one; a doubled quote is text.
  void CopyQuoted(char quote, bool backslash_escapes) {
    size_t end = at_ + 1;
    while (end < sql_.size()) {
      if (backslash_escapes && sql_[end] == '\\') {
        end += 2;
      } else if (sql_[end] == quote) {
        if (end + 1 < sql_.size() && sql_[end + 1] == quote) {
          end += 2;
        } else {
          ++end;
          break;
        }
      } else {
        ++end;
      }
    }
    Copy(end - at_);
  }

  // The length of `$tag$` (or `$$`) starting here, 0 when this `$` opens none.
  size_t DollarTagLength() const {
    size_t end = at_ + 1;
    if (end < sql_.size() && IsIdentifierStart(sql_[end])) {
      while (end < sql_.size() && IsIdentifierChar(sql_[end]) && sql_[end] != '$') ++end;
    }
    return end < sql_.size() && sql_[end] == '$' ? end - at_ + 1 : 0;
  }

  void CopyDollarQuoted(size_t tag_length) {
    const std::string_view tag = sql_.substr(at_, tag_length);
    const size_t close = sql_.find(tag, at_ + tag_length);
    Copy(close == std::string_view::npos ? sql_.size() - at_ : close + tag_length - at_);
  }

  // Reads the digits from `at_`; returns the number (0 when there are none).
  int ReadNumber(size_t& digits) const {
    digits = 0;
    while (at_ + digits < sql_.size() && IsDigit(sql_[at_ + digits])) ++digits;
    int number = 0;
    std::from_chars(sql_.data() + at_, sql_.data() + at_ + digits, number);
    return number;
  }

  void CopyNumberedParameter() {
    ++at_;  // the '$'
    size_t digits = 0;
    const int number = ReadNumber(digits);
    Use(number);
    at_ += digits;
  }

  void TranslateQuestionMark() {
    ++at_;  // the '?'
    size_t digits = 0;
    int number = ReadNumber(digits);
    if (digits == 0) number = result_.parameter_count + 1;
    Use(number);
    at_ += digits;
  }

  void Use(int number) {
    result_.sql += '$';
    result_.sql += std::to_string(number);
    result_.parameter_count = std::max(result_.parameter_count, number);
  }

  std::string_view sql_;
  size_t at_ = 0;
  bool after_semicolon_ = false;
  PlaceholderTranslation result_;
};

}  // namespace

PlaceholderTranslation TranslatePlaceholders(std::string_view sql) {
  return PlaceholderScanner(sql).Run();
}

}  // namespace silverwork::postgres
