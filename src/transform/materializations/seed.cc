#include "transform/materializations/seed.h"

#include <fmt/format.h>

#include <cctype>
#include <charconv>
#include <cmath>

#include "transform/materializations/materializer.h"

namespace silverwork::transform {
namespace {

// Digits with an optional sign and no leading zero (except "0" itself).
bool HasNumericShape(std::string_view text, bool allow_fraction) {
  if (!text.empty() && (text.front() == '-' || text.front() == '+')) text.remove_prefix(1);
  if (text.empty() || !std::isdigit(static_cast<unsigned char>(text.front()))) return false;
  if (text.size() > 1 && text[0] == '0' && std::isdigit(static_cast<unsigned char>(text[1])))
    return false;
  if (!allow_fraction)
    return std::all_of(text.begin(), text.end(),
                       [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
  return true;
}

// `strict`: reject leading zeros (inference); declared types accept them.
std::optional<int64_t> ParseInteger(std::string_view text, bool strict = true) {
  if (strict && !HasNumericShape(text, false)) return std::nullopt;
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  int64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<double> ParseReal(std::string_view text, bool strict = true) {
  if (strict && !HasNumericShape(text, true)) return std::nullopt;
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  double value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || !std::isfinite(value))
    return std::nullopt;
  return value;
}

}  // namespace

Result<CsvTable> ParseCsv(std::string_view text, std::string_view path) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  std::vector<std::vector<std::optional<std::string>>> records;
  std::vector<std::optional<std::string>> record;
  std::string field;
  bool quoted = false;  // the current field was quoted
  bool in_quotes = false;
  bool field_started = false;
  int line = 1;
  int record_line = 1;
  std::vector<int> record_lines;
  auto end_field = [&] {
    if (field.empty() && !quoted) {
      record.emplace_back(std::nullopt);
    } else {
      record.emplace_back(std::move(field));
    }
    field.clear();
    quoted = false;
    field_started = false;
  };
  auto end_record = [&] {
    end_field();
    // A blank line is no record.
    if (!(record.size() == 1 && !record[0])) {
      records.push_back(std::move(record));
      record_lines.push_back(record_line);
    }
    record.clear();
  };
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_quotes) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        in_quotes = false;
      } else {
        if (c == '\n') ++line;
        field += c;
      }
      continue;
    }
    if (c == '"' && !field_started) {
      in_quotes = quoted = field_started = true;
    } else if (c == ',') {
      end_field();
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      end_record();
      record_line = ++line;
    } else {
      if (quoted)
        return Status(ErrorCode::kCorrupt,
                      fmt::format("{}:{}: text after a closing quote", path, line));
      field += c;
      field_started = true;
    }
  }
  if (in_quotes)
    return Status(ErrorCode::kCorrupt,
                  fmt::format("{}:{}: quoted field is never closed", path, record_line));
  if (field_started || !record.empty()) end_record();
  if (records.empty())
    return Status(ErrorCode::kInvalidInput, fmt::format("{}: the seed is empty; the first line "
                                                        "must name the columns",
                                                        path));
  CsvTable table;
  for (auto& name : records[0]) {
    std::string column = name.value_or("");
    while (!column.empty() && std::isspace(static_cast<unsigned char>(column.back())))
      column.pop_back();
    while (!column.empty() && std::isspace(static_cast<unsigned char>(column.front())))
      column.erase(0, 1);
    if (column.empty())
      return Status(ErrorCode::kInvalidInput, fmt::format("{}:1: a column has no name", path));
    table.header.push_back(std::move(column));
  }
  for (size_t index = 1; index < records.size(); ++index) {
    if (records[index].size() != table.header.size())
      return Status(ErrorCode::kCorrupt,
                    fmt::format("{}:{}: {} fields where the header has {}", path,
                                record_lines[index], records[index].size(), table.header.size()));
    table.rows.push_back(std::move(records[index]));
  }
  return table;
}

ColumnType InferColumnType(const CsvTable& table, size_t column) {
  bool all_integer = true;
  bool all_numeric = true;
  bool any_value = false;
  for (const auto& row : table.rows) {
    const auto& value = row[column];
    if (!value) continue;
    any_value = true;
    if (all_integer && !ParseInteger(*value)) all_integer = false;
    if (!all_integer && !ParseReal(*value)) {
      all_numeric = false;
      break;
    }
  }
  if (!any_value) return ColumnType::kText;
  if (all_integer) return ColumnType::kInteger;
  return all_numeric ? ColumnType::kReal : ColumnType::kText;
}

Result<TypedSeed> TypeSeed(const CsvTable& table,
                           std::span<const std::pair<std::string, ColumnType>> overrides,
                           std::string_view path) {
  TypedSeed seed;
  for (size_t column = 0; column < table.header.size(); ++column) {
    ColumnSpec spec{table.header[column], InferColumnType(table, column), false};
    for (const auto& [name, type] : overrides)
      if (name == spec.name) spec.type = type;
    seed.columns.push_back(std::move(spec));
  }
  for (const auto& [name, type] : overrides) {
    if (!FindColumn(seed.columns, name))
      return Status(ErrorCode::kInvalidInput,
                    fmt::format("{}: column_types names '{}', which is not a column of the seed",
                                path, name));
  }
  seed.rows.reserve(table.rows.size());
  for (size_t row_index = 0; row_index < table.rows.size(); ++row_index) {
    Row row;
    row.reserve(seed.columns.size());
    for (size_t column = 0; column < seed.columns.size(); ++column) {
      const auto& text = table.rows[row_index][column];
      if (!text) {
        row.emplace_back(std::monostate());
        continue;
      }
      switch (seed.columns[column].type) {
        case ColumnType::kText:
          row.emplace_back(*text);
          break;
        case ColumnType::kInteger:
          if (auto value = ParseInteger(*text, false)) {
            row.emplace_back(*value);
          } else {
            return Status(ErrorCode::kInvalidInput,
                          fmt::format("{}: row {} column '{}': '{}' is not an integer", path,
                                      row_index + 2, seed.columns[column].name, *text));
          }
          break;
        case ColumnType::kReal:
          if (auto value = ParseReal(*text, false)) {
            row.emplace_back(*value);
          } else {
            return Status(ErrorCode::kInvalidInput,
                          fmt::format("{}: row {} column '{}': '{}' is not a number", path,
                                      row_index + 2, seed.columns[column].name, *text));
          }
          break;
      }
    }
    seed.rows.push_back(std::move(row));
  }
  return seed;
}

}  // namespace silverwork::transform
