#include "warehouse/sqlite/sqlite_checkpointer.h"

#include <sqlite3.h>

#include <chrono>

namespace silverwork {

SqliteCheckpointer::SqliteCheckpointer(sqlite3* main, std::unique_ptr<SqliteWarehouse> own,
                                       sqlite3* own_db, int threshold)
    : main_(main), own_(std::move(own)), own_db_(own_db), threshold_(threshold) {
  sqlite3_wal_autocheckpoint(main_, 0);
  thread_ = std::thread([this] { Loop(); });
}

SqliteCheckpointer::~SqliteCheckpointer() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
  own_.reset();
  sqlite3_wal_autocheckpoint(main_, threshold_);
}

void SqliteCheckpointer::Loop() {
  std::unique_lock lock(mutex_);
  while (!stop_) {
    wake_.wait_for(lock, std::chrono::milliseconds(100));
    lock.unlock();
    // PASSIVE: copies what is committed, never waits for the writer or
    // readers; what it cannot copy now it copies on a later turn.
    sqlite3_wal_checkpoint_v2(own_db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    lock.lock();
  }
}

}  // namespace silverwork
