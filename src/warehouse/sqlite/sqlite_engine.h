// The SQLite engine as the layers above the warehouse see it: its Dialect,
// its EngineTraits (adapter macros, catalog queries, table swaps, staged
// builds, connection settings, its own functions) and its registration
// under the name "sqlite". The connection itself is SqliteWarehouse.
//
// Immutable after first use; thread-safe.
#pragma once

#include <string>

#include "warehouse/engine_traits.h"
#include "warehouse/warehouse.h"

namespace silverwork {

class SqliteDialect final : public Dialect {
 public:
  std::string TypeName(ColumnType type) const override;
  std::string CurrentTimestamp() const override;
};

// The traits every SqliteWarehouse answers with.
const EngineTraits& SqliteTraits();

// Registers "sqlite" (SqliteWarehouse::Open) in `registry`.
void RegisterSqliteEngine(WarehouseRegistry& registry);

}  // namespace silverwork
