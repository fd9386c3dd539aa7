// SqliteCheckpointer: the SQLite engine's background maintenance
// (Warehouse::MaintainInBackground). It checkpoints the write-ahead log —
// copies committed pages into the database file and syncs it — from a
// connection and thread of its own, so the building connection's commits
// never stop to do it: on two cores the copying overlaps the next
// statement. The building connection's own automatic checkpoints are off
// while it lives and back at their threshold afterwards.
//
// Owns its thread; destroying it stops and joins the thread.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "warehouse/sqlite/sqlite_warehouse.h"
#include "warehouse/warehouse.h"

struct sqlite3;

namespace silverwork {

class SqliteCheckpointer final : public BackgroundWork {
 public:
  // Takes over `own` (a second connection to `main`'s database; `own_db`
  // is its handle, used on the checkpoint thread only) and turns `main`'s
  // automatic checkpoints off until destroyed, when they go back to
  // `threshold` pages. REQUIRES: `main` outlives this object.
  SqliteCheckpointer(sqlite3* main, std::unique_ptr<SqliteWarehouse> own, sqlite3* own_db,
                     int threshold);
  ~SqliteCheckpointer() override;
  SqliteCheckpointer(const SqliteCheckpointer&) = delete;
  SqliteCheckpointer& operator=(const SqliteCheckpointer&) = delete;

 private:
  void Loop();

  sqlite3* main_;
  std::unique_ptr<SqliteWarehouse> own_;
  sqlite3* own_db_;
  int threshold_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace silverwork
