// The serving snapshot's data structures (serve/snapshot.h): interning,
// packed strings, and the lookups requests make. Loading them from the
// warehouse is snapshot.cc's job.
#include "serve/snapshot.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <string>

namespace silverwork::serve {

uint16_t Dimension::Intern(std::string_view code, std::string_view label,
                           std::string_view name_en) {
  auto found = by_code_.find(std::string(code));
  if (found != by_code_.end()) return found->second;
  if (values_.size() >= 0xFFFF) throw std::length_error("too many dimension values");
  const auto index = static_cast<uint16_t>(values_.size());
  values_.push_back({std::string(code), std::string(label), std::string(name_en)});
  by_code_.emplace(std::string(code), index);
  return index;
}

void PackedStrings::Add(std::string_view text) {
  text_ += text;
  // The loader reports the exception as the limit its warehouse went beyond.
  if (text_.size() > std::numeric_limits<uint32_t>::max()) {
    throw std::length_error(
        fmt::format("characters of job ids beyond {}", std::numeric_limits<uint32_t>::max()));
  }
  ends_.push_back(static_cast<uint32_t>(text_.size()));
}

void PackedStrings::Reserve(size_t strings, size_t characters) {
  ends_.reserve(strings + 1);
  text_.reserve(characters);
}

void PackedStrings::ShrinkToFit() {
  ends_.shrink_to_fit();
  text_.shrink_to_fit();
}

std::optional<uint16_t> Dimension::Find(std::string_view code) const {
  auto found = by_code_.find(std::string(code));
  if (found == by_code_.end()) return std::nullopt;
  return found->second;
}

const PostingCube* ServingSnapshot::CubeFor(uint8_t dims) const {
  for (const PostingCube& cube : posting_cubes) {
    if ((cube.dims & dims) == dims) return &cube;
  }
  return nullptr;
}

const CategoryCube* ServingSnapshot::CategoryCubeFor(uint8_t dims) const {
  for (const CategoryCube& cube : category_cubes) {
    if ((cube.dims & dims) == dims) return &cube;
  }
  return nullptr;
}

std::span<const PostingRecord> ServingSnapshot::PostingsInYears(int year_from, int year_to) const {
  if (!postings_by_year) return postings;
  const auto first =
      std::partition_point(postings.begin(), postings.end(),
                           [&](const PostingRecord& record) { return record.year > year_to; });
  const auto last = std::partition_point(
      first, postings.end(), [&](const PostingRecord& record) { return record.year >= year_from; });
  return {first, last};
}

const PopulationYear* ServingSnapshot::PopulationFor(int year) const {
  const PopulationYear* chosen = population.empty() ? nullptr : &population.front();
  for (const PopulationYear& candidate : population) {
    if (candidate.year <= year) chosen = &candidate;
  }
  return chosen;
}

}  // namespace silverwork::serve
