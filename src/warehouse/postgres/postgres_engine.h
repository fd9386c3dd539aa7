// The PostgreSQL engine as the layers above the warehouse see it: its
// Dialect, its EngineTraits and its registration under "postgres". The
// connection itself is PostgresWarehouse (postgres_warehouse.h, on libpq).
//
// This file needs no libpq and is built always, so the traits are the same
// with or without the connection: where CMake finds libpq the registration
// opens a PostgresWarehouse; elsewhere "postgres" stays a known engine that
// answers "built without PostgreSQL support" (kUnsupported) instead of
// vanishing. The rest of this folder is built only with libpq
// (src/CMakeLists.txt).
//
// Immutable after first use; thread-safe.
#pragma once

#include <string>

#include "warehouse/engine_traits.h"
#include "warehouse/warehouse.h"

namespace silverwork {

class PostgresDialect final : public Dialect {
 public:
  std::string TypeName(ColumnType type) const override;
  std::string CurrentTimestamp() const override;
};

// The traits every PostgresWarehouse answers with.
const EngineTraits& PostgresTraits();

// Registers "postgres" (PostgresWarehouse::Open, or "built without
// PostgreSQL support") in `registry`.
void RegisterPostgresEngine(WarehouseRegistry& registry);

}  // namespace silverwork
