// How SQLite's failures read to a user: a hint per primary result code
// (what to do about it). The SQL in messages is abbreviated by
// AbbreviateSql (engine_contract.h), as for every engine. Pure functions;
// thread-safe.
#pragma once

namespace silverwork {

// What a user can do about result code `rc`; "" when there is nothing to add.
const char* SqliteErrorHint(int rc);

}  // namespace silverwork
