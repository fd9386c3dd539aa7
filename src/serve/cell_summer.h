// CellSummer: sums postings (records, or finer cells) into the cells of a
// cube, as they stream past. The snapshot builds its cubes with it, and a
// chart whose dimensions no cube holds sums the matching records with it.
//
// A summer is used by one thread at a time.
#pragma once

#include <algorithm>
#include <cstdint>
#include <tuple>
#include <vector>

#include "serve/snapshot.h"

namespace silverwork::serve {

// A cell's key is every field but its counts.
inline bool SameKey(const PostingCell& a, const PostingCell& b) {
  return a.preferences == b.preferences && a.year == b.year && a.job_class == b.job_class &&
         a.month == b.month && a.province == b.province && a.shape == b.shape;
}

// Year first, so that a cube's year range is one run of cells.
inline bool YearFirst(const PostingCell& a, const PostingCell& b) {
  return std::tie(a.year, a.month, a.province, a.shape, a.job_class, a.preferences) <
         std::tie(b.year, b.month, b.province, b.shape, b.job_class, b.preferences);
}

inline uint64_t HashKey(const PostingCell& cell) {
  uint64_t key = (static_cast<uint64_t>(static_cast<uint16_t>(cell.year)) << 40) |
                 (static_cast<uint64_t>(cell.month) << 32) |
                 (static_cast<uint64_t>(cell.province) << 24) |
                 (static_cast<uint64_t>(cell.shape) << 16) | cell.job_class;
  key = key * 0x9E3779B97F4A7C15ULL + cell.preferences;
  key ^= key >> 30;  // splitmix64's finalizer: the table indexes by the low bits
  key *= 0xBF58476D1CE4E5B9ULL;
  key ^= key >> 27;
  key *= 0x94D049BB133111EBULL;
  return key ^ (key >> 31);
}

// Sums cells with equal keys as they arrive: an open-addressing table of
// indexes into the cells being summed. Building a cube thus holds the cube,
// 4 to 8 bytes of table per cell and some growth slack; never a node per
// cell (std::unordered_map's 48 bytes) nor a copy of the input.
class CellSummer {
 public:
  void Add(const PostingCell& cell) {
    if (2 * (cells_.size() + 1) > slots_.size()) Grow();
    const size_t mask = slots_.size() - 1;
    for (size_t slot = HashKey(cell) & mask;; slot = (slot + 1) & mask) {
      uint32_t& entry = slots_[slot];
      if (entry == 0) {
        if (cells_.size() == cells_.capacity())
          cells_.reserve(cells_.size() + cells_.size() / 2 + 64);
        cells_.push_back(cell);
        entry = static_cast<uint32_t>(cells_.size());
        return;
      }
      PostingCell& sum = cells_[entry - 1];
      if (SameKey(sum, cell)) {
        sum.postings += cell.postings;
        sum.open_postings += cell.open_postings;
        sum.headcount += cell.headcount;
        return;
      }
    }
  }

  // The sums, sorted by `less`; the summer is empty afterwards.
  template <typename Less>
  std::vector<PostingCell> Take(Less less) {
    std::vector<uint32_t>().swap(slots_);
    cells_.shrink_to_fit();
    std::sort(cells_.begin(), cells_.end(), less);
    return std::move(cells_);
  }

 private:
  void Grow() {
    const size_t size = std::max<size_t>(1024, 2 * slots_.size());
    std::vector<uint32_t>().swap(slots_);  // freed before the larger table is allocated
    slots_.assign(size, 0);
    const size_t mask = size - 1;
    for (size_t index = 0; index < cells_.size(); ++index) {
      size_t slot = HashKey(cells_[index]) & mask;
      while (slots_[slot] != 0) slot = (slot + 1) & mask;
      slots_[slot] = static_cast<uint32_t>(index + 1);
    }
  }

  std::vector<PostingCell> cells_;
  std::vector<uint32_t> slots_;  // 0: empty, else index + 1 into cells_
};

inline PostingCell CellOf(const PostingRecord& record) {
  PostingCell cell;
  cell.preferences = record.preferences;
  cell.postings = 1;
  cell.open_postings = record.is_open;
  cell.headcount = record.headcount;
  cell.year = record.year;
  cell.job_class = record.job_class;
  cell.month = record.month;
  cell.province = record.province;
  cell.shape = record.shape;
  return cell;
}
inline const PostingCell& CellOf(const PostingCell& cell) { return cell; }

// `cell` with the dimensions `dims` lacks rolled up.
inline PostingCell Masked(PostingCell cell, uint8_t dims) {
  if (!(dims & kByMonth)) cell.month = kAnyMonth;
  if (!(dims & kByJobClass)) cell.job_class = kAnyJobClass;
  if (!(dims & kByPreferences)) cell.preferences = 0;
  return cell;
}

}  // namespace silverwork::serve
