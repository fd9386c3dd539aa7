// TimedWarehouse: a Warehouse that forwards every call to another and adds
// up the time spent inside them, so the runner can report its own overhead
// (elapsed time minus engine time) separately from the engine's work.
//
// Time comes from the injected Clock's monotonic reading. Not thread-safe,
// like the Warehouse it wraps.
#pragma once

#include <chrono>

#include "common/clock.h"
#include "warehouse/warehouse.h"

namespace silverwork::transform {

class TimedWarehouse final : public Warehouse {
 public:
  // REQUIRES: `inner` and `clock` outlive this object.
  TimedWarehouse(Warehouse& inner, Clock& clock) : inner_(inner), clock_(clock) {}
  TimedWarehouse(const TimedWarehouse&) = delete;
  TimedWarehouse& operator=(const TimedWarehouse&) = delete;

  std::chrono::nanoseconds engine_time() const { return engine_time_; }

  const EngineTraits& traits() const override { return inner_.traits(); }
  Status Execute(std::string_view sql) override;
  Result<int64_t> ExecuteWithParams(std::string_view sql, std::span<const Value> params) override;
  Status Query(std::string_view sql, std::span<const Value> params, const RowCallback& on_row,
               std::vector<std::string>* columns = nullptr) override;
  Status Begin() override;
  Status Commit() override;
  Status Rollback() override;
  bool InTransaction() const override { return inner_.InTransaction(); }
  Status EnsureTable(const TableSpec& spec) override;
  Status Upsert(std::string_view table, std::span<const std::string> columns,
                std::span<const std::string> key_columns, std::span<const Row> rows) override;
  Result<bool> TableExists(std::string_view name) override;
  Result<std::vector<ColumnSpec>> DescribeTable(std::string_view name) override;

 private:
  template <typename Call>
  auto Timed(Call&& call) {
    auto start = clock_.Monotonic();
    auto result = call();
    engine_time_ += clock_.Monotonic() - start;
    return result;
  }

  Warehouse& inner_;
  Clock& clock_;
  std::chrono::nanoseconds engine_time_{0};
};

}  // namespace silverwork::transform
