// The PostgreSQL engine as the layers above the warehouse see it: its
// Dialect, its EngineTraits and its registration under "postgres".
//
// The connection (a PostgresWarehouse over libpq, in this folder) is not
// built yet: until it is, opening "postgres" answers that it is not built
// (kUnsupported), and these traits are the spellings docs/transform.md
// documents for it, held to the full adapter macro list by the warehouse
// tests. Adding the engine is this folder plus its line in the build; the
// registration is already in registry.cc.
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

const EngineTraits& PostgresTraits();

// Registers "postgres" in `registry`.
void RegisterPostgresEngine(WarehouseRegistry& registry);

}  // namespace silverwork
