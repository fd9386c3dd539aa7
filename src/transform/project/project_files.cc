#include "transform/project/project_files.h"

#include <algorithm>

namespace silverwork::transform {
namespace {

const std::vector<std::string> kModelConfigKeys{"materialized", "unique_key", "indexes", "tags",
                                                "enabled"};
const std::vector<std::string> kSeedConfigKeys{"column_types", "tags", "enabled"};
const std::vector<std::string> kSnapshotConfigKeys{
    "unique_key", "strategy", "updated_at", "check_cols", "invalidate_hard_deletes",
    "indexes",    "tags",     "enabled"};
const std::vector<std::string> kTestConfigKeys{"severity", "tags", "enabled", "where"};
const std::vector<std::string> kNoConfigKeys{};

}  // namespace

const char* ResourceKindName(ResourceKind kind) {
  switch (kind) {
    case ResourceKind::kModel:
      return "model";
    case ResourceKind::kSeed:
      return "seed";
    case ResourceKind::kSnapshot:
      return "snapshot";
    case ResourceKind::kTest:
      return "test";
    case ResourceKind::kSource:
      return "source";
  }
  return "node";
}

std::span<const std::string> ConfigKeys(ResourceKind kind) {
  switch (kind) {
    case ResourceKind::kModel:
      return kModelConfigKeys;
    case ResourceKind::kSeed:
      return kSeedConfigKeys;
    case ResourceKind::kSnapshot:
      return kSnapshotConfigKeys;
    case ResourceKind::kTest:
      return kTestConfigKeys;
    case ResourceKind::kSource:
      return kNoConfigKeys;
  }
  return kNoConfigKeys;
}

const TemplateValue* ConfigLayer::Find(std::string_view key) const {
  // The last value written for `key` wins. (Not std::views::reverse: clang 14, which
  // clang-tidy uses, cannot compile libstdc++ 12's ranges.)
  const auto found = std::find_if(values.rbegin(), values.rend(),
                                  [key](const auto& entry) { return entry.first == key; });
  return found == values.rend() ? nullptr : &found->second;
}

}  // namespace silverwork::transform
