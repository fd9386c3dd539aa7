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
#include <string_view>

#include "warehouse/engine_traits.h"
#include "warehouse/warehouse.h"

namespace silverwork {

// Names are case-insensitive, as on SQLite: QuoteIdentifier folds ASCII
// letters to lower case, exactly as PostgreSQL folds an unquoted name, so
// `frDd` written bare in a model and "frDd" quoted by the loaders name the
// same column (frdd). Catalogs and result columns therefore spell such
// names in lower case; compare names case-insensitively (SameColumnName).
class PostgresDialect final : public Dialect {
 public:
  std::string QuoteIdentifier(std::string_view name) const override;
  std::string TypeName(ColumnType type) const override;
  std::string CurrentTimestamp() const override;
};

// The traits every PostgresWarehouse answers with.
const EngineTraits& PostgresTraits();

// Registers "postgres" (PostgresWarehouse::Open, or "built without
// PostgreSQL support") in `registry`.
void RegisterPostgresEngine(WarehouseRegistry& registry);

}  // namespace silverwork
