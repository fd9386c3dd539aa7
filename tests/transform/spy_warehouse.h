// SpyWarehouse: forwards every call to a real warehouse, calling
// `before_statement` before and `after_statement` after each statement
// (Execute, ExecuteWithParams, Query, Begin, Commit, Rollback), so a test can
// look at the database between the runner's steps or break it at one. Its
// peers (OpenPeer: the runner's other workers) are spies too, calling the
// same two callbacks from their own threads.
//
// Thread-safety: as the warehouse it wraps (one thread); callbacks that
// peers share must be thread-safe.
#pragma once

#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include "warehouse/warehouse.h"

namespace silverwork::transform::testing {

class SpyWarehouse final : public Warehouse {
 public:
  explicit SpyWarehouse(Warehouse& inner) : inner_(inner) {}
  explicit SpyWarehouse(std::unique_ptr<Warehouse> owned)
      : inner_(*owned), owned_(std::move(owned)) {}
  std::function<void(std::string_view)> before_statement = [](std::string_view) {};
  std::function<void(std::string_view)> after_statement = [](std::string_view) {};

  const EngineTraits& traits() const override { return inner_.traits(); }
  Status Execute(std::string_view sql) override {
    before_statement(sql);
    return Then(inner_.Execute(sql), sql);
  }
  Result<int64_t> ExecuteWithParams(std::string_view sql, std::span<const Value> params) override {
    before_statement(sql);
    auto result = inner_.ExecuteWithParams(sql, params);
    after_statement(sql);
    return result;
  }
  Status Query(std::string_view sql, std::span<const Value> params, const RowCallback& on_row,
               std::vector<std::string>* columns) override {
    before_statement(sql);
    return Then(inner_.Query(sql, params, on_row, columns), sql);
  }
  Status Begin() override {
    before_statement("BEGIN");
    return Then(inner_.Begin(), "BEGIN");
  }
  Status Commit() override {
    before_statement("COMMIT");
    return Then(inner_.Commit(), "COMMIT");
  }
  Status Rollback() override {
    before_statement("ROLLBACK");
    return Then(inner_.Rollback(), "ROLLBACK");
  }
  bool InTransaction() const override { return inner_.InTransaction(); }
  Status EnsureTable(const TableSpec& spec) override { return inner_.EnsureTable(spec); }
  Status Upsert(std::string_view table, std::span<const std::string> columns,
                std::span<const std::string> keys, std::span<const Row> rows) override {
    return inner_.Upsert(table, columns, keys, rows);
  }
  Result<bool> TableExists(std::string_view name) override { return inner_.TableExists(name); }
  Result<std::vector<ColumnSpec>> DescribeTable(std::string_view name) override {
    return inner_.DescribeTable(name);
  }
  Result<std::unique_ptr<Warehouse>> OpenPeer() override {
    auto peer = inner_.OpenPeer();
    if (!peer.ok()) return peer.status();
    auto spy = std::make_unique<SpyWarehouse>(std::move(peer).value());
    spy->before_statement = [this](std::string_view sql) { before_statement(sql); };
    spy->after_statement = [this](std::string_view sql) { after_statement(sql); };
    return std::unique_ptr<Warehouse>(std::move(spy));
  }

 private:
  Status Then(Status status, std::string_view sql) const {
    after_statement(sql);
    return status;
  }
  Warehouse& inner_;
  std::unique_ptr<Warehouse> owned_;  // a peer's own connection
};

}  // namespace silverwork::transform::testing
