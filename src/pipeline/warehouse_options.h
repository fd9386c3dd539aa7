// WarehouseOptionsFor: the warehouse a config names, the one way every
// command, task and server opens it (engine; SQLite's path or PostgreSQL's
// URL, password file and statement timeout). Stateless.
#pragma once

#include "common/config.h"
#include "warehouse/warehouse.h"

namespace silverwork {

WarehouseOptions WarehouseOptionsFor(const Config& config);

}  // namespace silverwork
