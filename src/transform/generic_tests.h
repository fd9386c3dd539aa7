// The generic data tests silverwork knows, as one table: the arguments each
// takes in a properties file and the SELECT of failing rows it compiles to.
// Stateless; thread-safe.
#pragma once

#include <array>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace silverwork::transform {

struct GenericTestDefinition {
  std::string_view kind;
  // Arguments beyond the common ones (config, severity, tags, where, enabled).
  std::array<std::string_view, 2> arguments;
  // fmt pattern over {column}, {model} (the tested relation), {values}
  // (accepted_values, already quoted), {parent} and {field} (relationships).
  std::string_view failing_rows_sql;
};

std::span<const GenericTestDefinition> GenericTestDefinitions();
// The definition of `kind`, or null.
const GenericTestDefinition* FindGenericTest(std::string_view kind);
// The kinds, for messages and suggestions.
std::vector<std::string> GenericTestKinds();

}  // namespace silverwork::transform
