#include "serve/response_cache.h"

namespace silverwork::serve {

std::shared_ptr<const std::string> ResponseCache::Find(uint64_t generation,
                                                       const std::string& key) {
  if (capacity_ == 0) {
    ++misses_;  // computed: the counter says how many answers were, cache or not
    return nullptr;
  }
  std::lock_guard lock(mutex_);
  if (generation != generation_) ResetLocked(generation);
  auto found = entries_.find(key);
  if (found == entries_.end()) {
    ++misses_;
    return nullptr;
  }
  ++hits_;
  return found->second;
}

void ResponseCache::Insert(uint64_t generation, const std::string& key,
                           std::shared_ptr<const std::string> body) {
  if (capacity_ == 0 || body->size() > max_entry_bytes_) return;
  std::lock_guard lock(mutex_);
  if (generation != generation_) ResetLocked(generation);
  if (!entries_.emplace(key, std::move(body)).second) return;
  order_.push_back(key);
  while (entries_.size() > capacity_) {
    entries_.erase(order_.front());
    order_.pop_front();
  }
}

void ResponseCache::ResetLocked(uint64_t generation) {
  generation_ = generation;
  entries_.clear();
  order_.clear();
}

}  // namespace silverwork::serve
