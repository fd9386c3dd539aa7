#include "transform/project/manifest.h"

#include <fmt/format.h>

namespace silverwork::transform {

int Manifest::FindRef(std::string_view name) const {
  auto found = refs_.find(name);
  return found == refs_.end() ? -1 : found->second;
}

int Manifest::FindSource(std::string_view source, std::string_view table) const {
  auto found = sources_.find(fmt::format("{}.{}", source, table));
  return found == sources_.end() ? -1 : found->second;
}

int Manifest::FindUniqueId(std::string_view unique_id) const {
  auto found = unique_ids_.find(unique_id);
  return found == unique_ids_.end() ? -1 : found->second;
}

}  // namespace silverwork::transform
