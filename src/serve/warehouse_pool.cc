#include "serve/warehouse_pool.h"

#include "warehouse/session_settings.h"

namespace silverwork::serve {

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
  // Each request reads little; the engine's settings for that keep the
  // connections' memory small (SQLite: a 512 KiB page cache each).
  SW_RETURN_IF_ERROR(ApplySessionSettings(*warehouse, Workload::kSmallReads));
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
