// Seeds: CSV files loaded as tables.
//
// The CSV dialect is RFC 4180: comma-separated, fields optionally quoted with
// '"' ("" inside quotes is a quote), LF or CRLF line ends, an optional UTF-8
// byte-order mark, the first row naming the columns. An empty field is NULL.
//
// Column types are inferred from every value of the column: integer when all
// are integers, real when all are numbers, text otherwise. A value with a
// leading zero ("007", "01.5") counts as text, so codes keep their digits.
// column_types in the seed's config override the inference per column.
// Pure functions; thread-safe.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "warehouse/warehouse.h"

namespace silverwork::transform {

struct CsvTable {
  std::vector<std::string> header;
  std::vector<std::vector<std::optional<std::string>>> rows;  // nullopt: empty field
};

// `path` names the file in errors ("seeds/x.csv:4: ...").
Result<CsvTable> ParseCsv(std::string_view text, std::string_view path);

ColumnType InferColumnType(const CsvTable& table, size_t column);

// Typed rows and column specs for `table`; `overrides` (column -> type) win
// over inference. A value that does not fit a declared type is an error.
struct TypedSeed {
  std::vector<ColumnSpec> columns;
  std::vector<Row> rows;
};
Result<TypedSeed> TypeSeed(const CsvTable& table,
                           std::span<const std::pair<std::string, ColumnType>> overrides,
                           std::string_view path);

}  // namespace silverwork::transform
