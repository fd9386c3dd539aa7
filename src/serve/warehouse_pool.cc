#include "serve/warehouse_pool.h"

namespace silverwork::serve {
namespace {

constexpr std::string_view kSqliteCacheSize = "PRAGMA cache_size = -512";  // KiB

}  // namespace

WarehousePool::WarehousePool(WarehouseOptions options, WarehouseFactory open)
    : options_([&] {
        options.read_only = true;
        return options;
      }()),
      open_(std::move(open)) {}

WarehousePool::Lease::~Lease() {
  if (warehouse_ != nullptr) pool_->Return(std::move(warehouse_), generation_);
}

Result<WarehousePool::Lease> WarehousePool::Acquire() {
  uint64_t generation = 0;
  {
    std::lock_guard lock(mutex_);
    generation = generation_;
    if (!idle_.empty()) {
      std::unique_ptr<Warehouse> warehouse = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(warehouse), generation);
    }
  }
  SW_ASSIGN_OR_RETURN(auto warehouse, open_(options_));
  if (options_.engine == "sqlite") {
    // A request reads a few pages by rowid or scans the table once, which
    // SQLite's 2 MB default page cache does not speed up; with a connection
    // per worker thread it would add up to 64 MB of the server's memory.
    SW_RETURN_IF_ERROR(warehouse->Execute(kSqliteCacheSize));
  }
  return Lease(this, std::move(warehouse), generation);
}

void WarehousePool::Reset() {
  std::vector<std::unique_ptr<Warehouse>> closing;
  std::lock_guard lock(mutex_);
  ++generation_;
  closing.swap(idle_);
}

void WarehousePool::Return(std::unique_ptr<Warehouse> warehouse, uint64_t generation) {
  std::lock_guard lock(mutex_);
  if (generation == generation_) idle_.push_back(std::move(warehouse));
}

}  // namespace silverwork::serve
