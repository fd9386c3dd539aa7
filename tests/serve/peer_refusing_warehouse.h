// PeerRefusingWarehouse: a connection that forwards every call to the one
// it wraps but cannot open a second connection (OpenPeer fails with
// kNetwork), for the tests of a snapshot load whose second connection
// fails. For one thread, like the connection it wraps.
#pragma once

#include <memory>

#include "warehouse/warehouse.h"

namespace silverwork::serve::testing {

class PeerRefusingWarehouse final : public Warehouse {
 public:
  explicit PeerRefusingWarehouse(std::unique_ptr<Warehouse> inner) : inner_(std::move(inner)) {}
  int peers_asked = 0;

  const EngineTraits& traits() const override { return inner_->traits(); }
  Status Execute(std::string_view sql) override { return inner_->Execute(sql); }
  Result<int64_t> ExecuteWithParams(std::string_view sql, std::span<const Value> params) override {
    return inner_->ExecuteWithParams(sql, params);
  }
  Status Query(std::string_view sql, std::span<const Value> params, const RowCallback& on_row,
               std::vector<std::string>* columns) override {
    return inner_->Query(sql, params, on_row, columns);
  }
  Status Begin() override { return inner_->Begin(); }
  Status Commit() override { return inner_->Commit(); }
  Status Rollback() override { return inner_->Rollback(); }
  bool InTransaction() const override { return inner_->InTransaction(); }
  Status EnsureTable(const TableSpec& spec) override { return inner_->EnsureTable(spec); }
  Status Upsert(std::string_view table, std::span<const std::string> columns,
                std::span<const std::string> key_columns, std::span<const Row> rows) override {
    return inner_->Upsert(table, columns, key_columns, rows);
  }
  Result<bool> TableExists(std::string_view name) override { return inner_->TableExists(name); }
  Result<std::vector<ColumnSpec>> DescribeTable(std::string_view name) override {
    return inner_->DescribeTable(name);
  }
  Result<std::unique_ptr<Warehouse>> OpenPeer() override {
    ++peers_asked;
    return Status(ErrorCode::kNetwork, "the server refused a second connection (test)",
                  "raise max_connections");
  }

 private:
  std::unique_ptr<Warehouse> inner_;
};

}  // namespace silverwork::serve::testing
