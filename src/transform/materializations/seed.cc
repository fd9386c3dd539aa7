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

using CsvRecord = std::vector<std::optional<std::string>>;

// The records of a CSV text (RFC 4180) and the line each starts on; a
// blank line is no record.
class CsvRecords {
 public:
  // `path` names the file in errors.
  explicit CsvRecords(std::string_view path) : path_(path) {}

  Status Split(std::string_view text) {
    for (size_t i = 0; i < text.size(); ++i) {
      if (in_quotes_) {
        ReadQuoted(text, i);
      } else {
        SW_RETURN_IF_ERROR(ReadPlain(text, i));
      }
    }
    if (in_quotes_)
      return Status(ErrorCode::kCorrupt,
                    fmt::format("{}:{}: quoted field is never closed", path_, record_line_));
    if (field_started_ || !record_.empty()) EndRecord();
    return Status::Ok();
  }

  std::vector<CsvRecord> records;
  std::vector<int> lines;  // per record, the line it starts on

 private:
  // The character at `i` inside quotes ("" is a quote; advances past it).
  void ReadQuoted(std::string_view text, size_t& i) {
    char c = text[i];
    if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
      field_ += '"';
      ++i;
    } else if (c == '"') {
      in_quotes_ = false;
    } else {
      if (c == '\n') ++line_;
      field_ += c;
    }
  }

  // The character at `i` outside quotes (CRLF is one line end; advances past it).
  Status ReadPlain(std::string_view text, size_t& i) {
    char c = text[i];
    if (c == '"' && !field_started_) {
      in_quotes_ = quoted_ = field_started_ = true;
    } else if (c == ',') {
      EndField();
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      EndRecord();
      record_line_ = ++line_;
    } else {
      if (quoted_)
        return Status(ErrorCode::kCorrupt,
                      fmt::format("{}:{}: text after a closing quote", path_, line_));
      field_ += c;
      field_started_ = true;
    }
    return Status::Ok();
  }

  void EndField() {
    if (field_.empty() && !quoted_) {
      record_.emplace_back(std::nullopt);
    } else {
      record_.emplace_back(std::move(field_));
    }
    field_.clear();
    quoted_ = false;
    field_started_ = false;
  }

  void EndRecord() {
    EndField();
    if (!(record_.size() == 1 && !record_[0])) {
      records.push_back(std::move(record_));
      lines.push_back(record_line_);
    }
    record_.clear();
  }

  std::string_view path_;
  CsvRecord record_;
  std::string field_;
  bool quoted_ = false;  // the current field was quoted
  bool in_quotes_ = false;
  bool field_started_ = false;
  int line_ = 1;
  int record_line_ = 1;
};

// The header's column names, trimmed; each must be there.
Result<std::vector<std::string>> ColumnNames(const CsvRecord& names, std::string_view path) {
  std::vector<std::string> header;
  for (const auto& name : names) {
    std::string column = name.value_or("");
    while (!column.empty() && std::isspace(static_cast<unsigned char>(column.back())))
      column.pop_back();
    while (!column.empty() && std::isspace(static_cast<unsigned char>(column.front())))
      column.erase(0, 1);
    if (column.empty())
      return Status(ErrorCode::kInvalidInput, fmt::format("{}:1: a column has no name", path));
    header.push_back(std::move(column));
  }
  return header;
}

}  // namespace

Result<CsvTable> ParseCsv(std::string_view text, std::string_view path) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  CsvRecords records(path);
  SW_RETURN_IF_ERROR(records.Split(text));
  if (records.records.empty())
    return Status(ErrorCode::kInvalidInput, fmt::format("{}: the seed is empty; the first line "
                                                        "must name the columns",
                                                        path));
  CsvTable table;
  SW_ASSIGN_OR_RETURN(table.header, ColumnNames(records.records[0], path));
  for (size_t index = 1; index < records.records.size(); ++index) {
    if (records.records[index].size() != table.header.size())
      return Status(
          ErrorCode::kCorrupt,
          fmt::format("{}:{}: {} fields where the header has {}", path, records.lines[index],
                      records.records[index].size(), table.header.size()));
    table.rows.push_back(std::move(records.records[index]));
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
