// Connecting to PostgreSQL: what libpq is given, where the password may come
// from, and what a failed connection is reported as.
//
// WarehouseOptions::location is a libpq connection string, a URL
// (postgresql://user@host:port/db?options=...) or key=value pairs; empty
// leaves everything to libpq's PG* variables and defaults. It must not
// carry a password, because it comes from the config text: the password
// comes from PGPASSWORD, ~/.pgpass (or PGPASSFILE), or the file named by
// WarehouseOptions::password_file (its first line), which wins over both.
// Statement timeout and read-only mode are sent as server options at
// connect time, so a reconnect keeps them.
//
// Messages name the server as host:port (or the socket folder), never the
// whole connection string, and never hold a password; the password read from
// a file and PGPASSWORD are registered with the logger's redactor too.
//
// Thread-safety: pure functions and value types; a PgConnection is owned by
// one thread at a time.
#pragma once

#include <libpq-fe.h>

#include <memory>
#include <string>
#include <vector>

#include "warehouse/warehouse.h"

namespace silverwork::postgres {

struct PgConnectionCloser {
  void operator()(PGconn* connection) const { PQfinish(connection); }
};
using PgConnection = std::unique_ptr<PGconn, PgConnectionCloser>;

struct PgResultClearer {
  void operator()(PGresult* result) const { PQclear(result); }
};
using PgResult = std::unique_ptr<PGresult, PgResultClearer>;

// Keyword/value pairs for PQconnectdbParams, password included when it came
// from a file. Never print them.
struct ConnectParameters {
  std::vector<std::string> keywords;
  std::vector<std::string> values;
};

// Checks the options and gathers what libpq needs. kInvalidInput for a
// location that does not parse or carries a password; kIO for an
// unreadable or empty password file.
Result<ConnectParameters> ConnectParametersFor(const WarehouseOptions& options);

// Connects, blocking for at most connect_timeout (10 s unless the location
// or PGCONNECT_TIMEOUT says otherwise). The failures: kNetwork when the
// server cannot be reached, kAuth when it refuses the login, kDatabase when
// it refuses the connection for another reason (no such database).
Result<PgConnection> Connect(const ConnectParameters& parameters);

// "host:port" of a connection (also a failed one), or "socket folder
// /path (port N)" for a Unix socket.
std::string ServerName(const PGconn* connection);

}  // namespace silverwork::postgres
