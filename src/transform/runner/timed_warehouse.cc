#include "transform/runner/timed_warehouse.h"

namespace silverwork::transform {

Status TimedWarehouse::Execute(std::string_view sql) {
  return Timed([&] { return inner_.Execute(sql); });
}

Result<int64_t> TimedWarehouse::ExecuteWithParams(std::string_view sql,
                                                  std::span<const Value> params) {
  return Timed([&] { return inner_.ExecuteWithParams(sql, params); });
}

Status TimedWarehouse::Query(std::string_view sql, std::span<const Value> params,
                             const RowCallback& on_row, std::vector<std::string>* columns) {
  return Timed([&] { return inner_.Query(sql, params, on_row, columns); });
}

Status TimedWarehouse::Begin() {
  return Timed([&] { return inner_.Begin(); });
}

Status TimedWarehouse::Commit() {
  return Timed([&] { return inner_.Commit(); });
}

Status TimedWarehouse::Rollback() {
  return Timed([&] { return inner_.Rollback(); });
}

Status TimedWarehouse::EnsureTable(const TableSpec& spec) {
  return Timed([&] { return inner_.EnsureTable(spec); });
}

Status TimedWarehouse::Upsert(std::string_view table, std::span<const std::string> columns,
                              std::span<const std::string> key_columns, std::span<const Row> rows) {
  return Timed([&] { return inner_.Upsert(table, columns, key_columns, rows); });
}

Result<bool> TimedWarehouse::TableExists(std::string_view name) {
  return Timed([&] { return inner_.TableExists(name); });
}

Result<std::vector<ColumnSpec>> TimedWarehouse::DescribeTable(std::string_view name) {
  return Timed([&] { return inner_.DescribeTable(name); });
}

}  // namespace silverwork::transform
