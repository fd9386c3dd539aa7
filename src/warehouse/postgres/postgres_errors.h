// What a failed PostgreSQL statement means to a user: the server's message
// and detail with the SQL that failed, and a hint chosen by SQLSTATE class
// (constraint, timeout, read-only, missing relation, server resources, ...),
// unless the server sent a hint of its own.
//
// Thread-safety: pure functions.
#pragma once

#include <libpq-fe.h>

#include <string>
#include <string_view>

#include "common/status.h"

namespace silverwork::postgres {

// kDatabase with the server's words and the abbreviated SQL. `result` may be
// null (libpq then reports through `connection`).
Status StatementError(const PGresult* result, const PGconn* connection, std::string_view sql);

// libpq's messages span lines ("...failed: Connection refused\n\tIs the
// server running...?"); a Status message is one line.
std::string OneLine(std::string_view text);

// The server's message (or libpq's, when the server sent none), one line.
std::string ErrorReason(const PGresult* result, const PGconn* connection);

// True when the error means the session is gone: the server shut down or
// restarted (57P01..57P03), or the link broke (class 08).
bool EndsTheSession(const PGresult* result);

// The row of a COPY the server rejected: its "COPY x, line N" context minus
// one; -1 when the error names no line.
int64_t RejectedCopyRow(const PGresult* result);

}  // namespace silverwork::postgres
