// WarehousePool: read-only warehouse connections for the server's worker
// threads. A Warehouse is not thread-safe, so each request borrows one
// connection for as long as it runs and gives it back; connections are
// opened on demand and reused, each tuned for small reads (the engine's
// Workload::kSmallReads settings; SQLite: a 512 KiB page cache) so that 32
// of them stay small. Thread-safe.
#pragma once

#include <memory>
#include <mutex>
#include <vector>

#include "warehouse/warehouse.h"

namespace silverwork::serve {

class WarehousePool {
 public:
  // `options.read_only` is forced on; `open` opens each connection.
  WarehousePool(WarehouseOptions options, WarehouseFactory open);
  WarehousePool(const WarehousePool&) = delete;
  WarehousePool& operator=(const WarehousePool&) = delete;

  // A borrowed connection; returned to the pool when destroyed.
  class Lease {
   public:
    Lease(WarehousePool* pool, std::unique_ptr<Warehouse> warehouse, uint64_t generation)
        : pool_(pool), warehouse_(std::move(warehouse)), generation_(generation) {}
    Lease(Lease&&) = default;
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease();
    Warehouse& operator*() const { return *warehouse_; }
    Warehouse* operator->() const { return warehouse_.get(); }

   private:
    WarehousePool* pool_;
    std::unique_ptr<Warehouse> warehouse_;
    uint64_t generation_;
  };

  Result<Lease> Acquire();
  // Closes idle connections, and connections in use once they come back
  // (after the warehouse file was replaced, they would read the old one).
  void Reset();

 private:
  void Return(std::unique_ptr<Warehouse> warehouse, uint64_t generation);

  const WarehouseOptions options_;
  const WarehouseFactory open_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<Warehouse>> idle_;
  uint64_t generation_ = 0;
};

}  // namespace silverwork::serve
