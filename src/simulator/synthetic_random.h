// Stateless randomness for synthetic data: every value is a pure function of
// (seed, what, index), so any posting, project row or fault draw can be
// recomputed on demand, in any order, from any thread, with the same result.
//
// Hash() is the SplitMix64 finalizer chained over its arguments; DrawStream is
// a SplitMix64 generator seeded from such a hash, for items that need a fixed
// sequence of draws. Both are value types with no shared state.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <span>

namespace silverwork::simulator {

inline uint64_t Mix64(uint64_t value) {
  value += 0x9e3779b97f4a7c15ULL;
  value = (value ^ (value >> 30)) * 0xbf58476d1ce4e5b9ULL;
  value = (value ^ (value >> 27)) * 0x94d049bb133111ebULL;
  return value ^ (value >> 31);
}

inline uint64_t Hash(std::initializer_list<uint64_t> parts) {
  uint64_t state = 0x5157'4f52'4b53'494dULL;  // arbitrary, non-zero
  for (uint64_t part : parts) state = Mix64(state ^ part);
  return state;
}

// A double in [0, 1) from the top 53 bits.
inline double UnitFromBits(uint64_t bits) { return static_cast<double>(bits >> 11) * 0x1.0p-53; }

class DrawStream {
 public:
  explicit DrawStream(uint64_t seed) : state_(seed) {}

  uint64_t Next() {
    state_ += 0x9e3779b97f4a7c15ULL;
    uint64_t value = state_;
    value = (value ^ (value >> 30)) * 0xbf58476d1ce4e5b9ULL;
    value = (value ^ (value >> 27)) * 0x94d049bb133111ebULL;
    return value ^ (value >> 31);
  }
  double Unit() { return UnitFromBits(Next()); }
  bool Chance(double probability) { return Unit() < probability; }
  // Uniform integer in [low, high]. REQUIRES: low <= high.
  int64_t Between(int64_t low, int64_t high) {
    return low + static_cast<int64_t>(Next() % static_cast<uint64_t>(high - low + 1));
  }
  // Index into a table of `count` entries. REQUIRES: count > 0.
  size_t Index(size_t count) { return static_cast<size_t>(Next() % count); }
  // Index drawn with the given non-negative weights. REQUIRES: a positive sum.
  size_t Weighted(std::span<const double> weights) {
    double total = 0;
    for (double weight : weights) total += weight;
    double target = Unit() * total;
    for (size_t i = 0; i < weights.size(); ++i) {
      if (target < weights[i]) return i;
      target -= weights[i];
    }
    return weights.size() - 1;
  }
  // Picks an entry of a table whose rows carry a `weight` member.
  template <typename Row, size_t kExtent>
  const Row& PickWeighted(std::span<const Row, kExtent> rows) {
    double total = 0;
    for (const Row& row : rows) total += row.weight;
    double target = Unit() * total;
    for (const Row& row : rows) {
      if (target < row.weight) return row;
      target -= row.weight;
    }
    return rows.back();
  }
  template <typename Row, size_t kExtent>
  const Row& Pick(std::span<const Row, kExtent> rows) {
    return rows[Index(rows.size())];
  }

 private:
  uint64_t state_;
};

}  // namespace silverwork::simulator
