// The SQL functions silverwork adds to every SQLite connection
// (SqliteWarehouse::Open registers them all), listed in the engine's traits
// (EngineTraits::functions) so that what models and adapter macros may rely
// on is written down in one place:
//   regexp(pattern, text)    backs `text REGEXP 'pattern'` (ECMAScript
//                            syntax via std::regex, compiled once per
//                            statement while the pattern is constant)
//   sw_yyyymmdd_date(text)   'YYYY-MM-DD' when the text is eight digits
//                            naming a real day, else NULL
// NULL in, NULL out. Stateless; thread-safe.
#pragma once

#include <span>

#include "common/status.h"
#include "warehouse/engine_traits.h"

struct sqlite3;

namespace silverwork {

// The functions, for the engine's traits.
std::span<const EngineFunction> SqliteFunctions();

// Registers every function on `db`.
Status RegisterSqliteFunctions(sqlite3* db);

}  // namespace silverwork
