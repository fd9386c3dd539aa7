// How Values cross the wire to PostgreSQL and back, all in libpq's text
// format: parameters (numbers typed, text left for the server to type from
// its context), COPY ... FROM STDIN lines, and result cells read by their
// column's type.
//
// Results map to Value as SQLite's do: integers and booleans (1/0) are
// int64; float4, float8 and numeric are double, except a numeric written
// without a fraction that fits int64 (what sum() and count() of bigint
// give) reads as int64; everything else (text, dates, timestamps, json, ...)
// is text. Doubles travel as the shortest text that reads back the same.
//
// Thread-safety: pure functions and a value type.
#pragma once

#include <postgres_ext.h>

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "warehouse/warehouse.h"

namespace silverwork::postgres {

// Type OIDs that never change between PostgreSQL releases (pg_type.dat);
// Debian's libpq-dev does not ship the server's catalog headers.
inline constexpr Oid kBoolOid = 16;
inline constexpr Oid kInt8Oid = 20;
inline constexpr Oid kInt2Oid = 21;
inline constexpr Oid kInt4Oid = 23;
inline constexpr Oid kOidOid = 26;
inline constexpr Oid kFloat4Oid = 700;
inline constexpr Oid kFloat8Oid = 701;
inline constexpr Oid kNumericOid = 1700;

// The arrays PQexecParams / PQsendQueryParams take, built from Values. The
// pointers point into this object: keep it alive until the call returns.
class ParameterArrays {
 public:
  explicit ParameterArrays(std::span<const Value> params);
  ParameterArrays(const ParameterArrays&) = delete;
  ParameterArrays& operator=(const ParameterArrays&) = delete;

  int count() const { return static_cast<int>(types_.size()); }
  const Oid* types() const { return types_.data(); }
  const char* const* values() const { return pointers_.data(); }

 private:
  std::vector<std::string> texts_;
  std::vector<Oid> types_;
  std::vector<const char*> pointers_;  // null for NULL
};

// float8's text for a double: the shortest that reads back the same, and
// PostgreSQL's spellings of infinities and NaN.
std::string DoubleText(double number);

// Appends one field of a COPY text-format line: \N for NULL, backslash,
// tab, newline and carriage return escaped.
void AppendCopyField(const Value& value, std::string& line);
// Appends a row's fields, tab-separated, without the line's end.
void AppendCopyFields(std::span<const Value> row, std::string& line);

// Reads one result cell of type `type` into `out`, reusing its string
// buffer when it already holds text.
void ReadCell(std::string_view text, Oid type, Value& out);

// The ColumnType a column of this type reads as.
ColumnType ColumnTypeOf(Oid type);

}  // namespace silverwork::postgres
