#include "pipeline/warehouse_options.h"

namespace silverwork {

WarehouseOptions WarehouseOptionsFor(const Config& config) {
  // The embedded engine is named by its file; a server by its URL (empty:
  // libpq's PG* environment variables).
  const bool server = config.warehouse_engine != "sqlite";
  return {.engine = config.warehouse_engine,
          .location = server ? config.warehouse_url : config.warehouse_path,
          .password_file = config.warehouse_password_file,
          .statement_timeout_ms = config.warehouse_statement_timeout_ms};
}

}  // namespace silverwork
