// How SQLite's failures read to a user: a hint per primary result code
// (what to do about it), and the SQL abbreviated for messages. Pure
// functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace silverwork {

// What a user can do about result code `rc`; "" when there is nothing to add.
const char* SqliteErrorHint(int rc);

// The SQL as it should appear in a message: whitespace collapsed, at most
// 200 bytes, never cut inside a UTF-8 sequence.
std::string AbbreviateSql(std::string_view sql);

}  // namespace silverwork
