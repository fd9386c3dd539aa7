#include "warehouse/sqlite/sqlite_errors.h"

#include <sqlite3.h>

namespace silverwork {
namespace {

// What a user can do about each primary SQLite result code; codes without an
// entry get no hint (the engine's message is all there is).
struct ErrorHint {
  int primary_code;
  const char* hint;
};
constexpr ErrorHint kErrorHints[] = {
    {SQLITE_CONSTRAINT,
     "a row breaks a constraint of the table (named in the message); check the key and NOT NULL "
     "columns of the data being written"},
    {SQLITE_BUSY, "another process is writing to the warehouse; wait for it to finish and retry"},
    {SQLITE_LOCKED,
     "another statement on this connection still uses the table; retry after it ends"},
    {SQLITE_READONLY,
     "the warehouse is open read-only (or its file is not writable); open it for writing"},
    {SQLITE_CORRUPT,
     "the warehouse file is damaged; restore it from a backup or rebuild it from the lake"},
    {SQLITE_NOTADB, "the warehouse path points at a file that is not a SQLite database"},
    {SQLITE_FULL, "the disk is full; free some space and retry"},
    {SQLITE_CANTOPEN, "check that the warehouse path exists and is readable and writable"},
    {SQLITE_IOERR, "the disk reported an error; check free space and the file system"},
};

}  // namespace

const char* SqliteErrorHint(int rc) {
  for (const ErrorHint& entry : kErrorHints) {
    if (entry.primary_code == (rc & 0xff)) return entry.hint;
  }
  return "";
}

}  // namespace silverwork
