// WrittenIds: the ids a replay has written, kept as 64-bit hashes in one
// open-addressing table (8 bytes a slot, no node per id), to tell rows that
// are certainly new from rows that may be rewrites.
//
// Only "new" must be exact: an id Insert() calls new was never inserted (its
// hash is not in the table). Two ids with the same hash make the second
// look already written, which only costs it an Upsert instead of an Append,
// never a wrong row.
//
// Not thread-safe (one replay's loading thread).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

namespace silverwork {

class WrittenIds {
 public:
  // Records `id`; true when no id with its hash was recorded before.
  bool Insert(std::string_view id) {
    if ((size_ + 1) * 2 > slots_.size()) Grow();
    return Place(Hash(id));
  }
  size_t size() const { return size_; }
  // Bytes the table takes.
  size_t bytes() const { return slots_.size() * sizeof(uint64_t); }
  void Clear() {
    slots_ = {};
    size_ = 0;
  }

 private:
  static constexpr uint64_t kEmpty = 0;

  static uint64_t Hash(std::string_view id) {
    const uint64_t hash = std::hash<std::string_view>{}(id);
    return hash == kEmpty ? 1 : hash;  // 0 marks an empty slot
  }

  bool Place(uint64_t hash) {
    const size_t mask = slots_.size() - 1;
    for (size_t slot = Mix(hash) & mask;; slot = (slot + 1) & mask) {
      if (slots_[slot] == hash) return false;
      if (slots_[slot] != kEmpty) continue;
      slots_[slot] = hash;
      ++size_;
      return true;
    }
  }

  // Spreads the hash's bits over the slot index (linear probing wants it).
  static size_t Mix(uint64_t hash) {
    hash ^= hash >> 33;
    hash *= 0xff51afd7ed558ccdULL;
    hash ^= hash >> 33;
    return static_cast<size_t>(hash);
  }

  void Grow() {
    std::vector<uint64_t> old = std::move(slots_);
    slots_.assign(old.empty() ? 1024 : old.size() * 2, kEmpty);
    size_ = 0;
    for (uint64_t hash : old)
      if (hash != kEmpty) Place(hash);
  }

  std::vector<uint64_t> slots_;
  size_t size_ = 0;
};

}  // namespace silverwork
