#include "warehouse/postgres/postgres_values.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>

namespace silverwork::postgres {
namespace {

void AssignText(std::string_view text, Value& out) {
  if (std::string* existing = std::get_if<std::string>(&out)) {
    existing->assign(text);
  } else {
    out = std::string(text);
  }
}

// The whole text as a T, or false.
template <typename T>
bool ParseWhole(std::string_view text, T& number) {
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
  return error == std::errc() && end == text.data() + text.size();
}

// Keeps the text when it does not parse (never for the server's own
// output of these types), rather than lose it.
template <typename T>
void ReadNumber(std::string_view text, Value& out) {
  T number{};
  if (ParseWhole(text, number)) {
    out = number;
  } else {
    AssignText(text, out);
  }
}

// numeric: integral text that fits int64 reads as an integer, as SQLite's
// sum() of integers is one.
void ReadNumeric(std::string_view text, Value& out) {
  int64_t whole = 0;
  if (text.find_first_not_of("-0123456789") == std::string_view::npos && ParseWhole(text, whole)) {
    out = whole;
  } else {
    ReadNumber<double>(text, out);
  }
}

// The escape of a byte COPY's text format must escape, or null.
const char* CopyEscape(char ch) {
  switch (ch) {
    case '\\':
      return "\\\\";
    case '\t':
      return "\\t";
    case '\n':
      return "\\n";
    case '\r':
      return "\\r";
    default:
      return nullptr;
  }
}

// Text as a COPY field: the runs between bytes to escape go in whole.
void AppendEscapedText(std::string_view text, std::string& line) {
  size_t run_start = 0;
  for (size_t index = 0; index < text.size(); ++index) {
    const char* escape = CopyEscape(text[index]);
    if (escape == nullptr) continue;
    line.append(text.data() + run_start, index - run_start);
    line += escape;
    run_start = index + 1;
  }
  line.append(text.data() + run_start, text.size() - run_start);
}

}  // namespace

ParameterArrays::ParameterArrays(std::span<const Value> params) {
  texts_.resize(params.size());
  types_.resize(params.size(), 0);  // 0: the server infers the type from the statement
  pointers_.resize(params.size(), nullptr);
  for (size_t index = 0; index < params.size(); ++index) {
    const Value& value = params[index];
    if (const auto* number = std::get_if<int64_t>(&value)) {
      texts_[index] = std::to_string(*number);
      types_[index] = kInt8Oid;
    } else if (const auto* real = std::get_if<double>(&value)) {
      texts_[index] = DoubleText(*real);
      types_[index] = kFloat8Oid;
    } else if (const auto* text = std::get_if<std::string>(&value)) {
      texts_[index] = *text;
    } else {
      continue;  // NULL: a null pointer
    }
    pointers_[index] = texts_[index].c_str();
  }
}

std::string DoubleText(double number) {
  if (std::isnan(number)) return "NaN";
  if (std::isinf(number)) return number > 0 ? "Infinity" : "-Infinity";
  return fmt::format("{}", number);
}

void AppendCopyField(const Value& value, std::string& line) {
  if (IsNull(value)) {
    line += "\\N";
  } else if (const auto* number = std::get_if<int64_t>(&value)) {
    fmt::format_to(std::back_inserter(line), "{}", *number);
  } else if (const auto* real = std::get_if<double>(&value)) {
    line += DoubleText(*real);
  } else {
    AppendEscapedText(std::get<std::string>(value), line);
  }
}

void AppendCopyFields(std::span<const Value> row, std::string& line) {
  for (size_t index = 0; index < row.size(); ++index) {
    if (index > 0) line += '\t';
    AppendCopyField(row[index], line);
  }
}

void ReadCell(std::string_view text, Oid type, Value& out) {
  switch (type) {
    case kInt2Oid:
    case kInt4Oid:
    case kInt8Oid:
    case kOidOid:
      return ReadNumber<int64_t>(text, out);
    case kBoolOid:
      out = int64_t{text == "t" ? 1 : 0};
      return;
    case kFloat4Oid:
    case kFloat8Oid:
      return ReadNumber<double>(text, out);
    case kNumericOid:
      return ReadNumeric(text, out);
    default:
      return AssignText(text, out);
  }
}

ColumnType ColumnTypeOf(Oid type) {
  switch (type) {
    case kInt2Oid:
    case kInt4Oid:
    case kInt8Oid:
    case kOidOid:
    case kBoolOid:
      return ColumnType::kInteger;
    case kFloat4Oid:
    case kFloat8Oid:
    case kNumericOid:
      return ColumnType::kReal;
    default:
      return ColumnType::kText;
  }
}

}  // namespace silverwork::postgres
