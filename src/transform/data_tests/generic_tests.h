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
  // The failing rows that involve the rows of {increment} (the rows an
  // incremental merge just inserted into {model}), given that {model} passed
  // before the merge. Empty: failing_rows_sql over {increment} alone, for
  // tests that look at each row on its own.
  std::string_view failing_rows_in_increment_sql = {};
};

std::span<const GenericTestDefinition> GenericTestDefinitions();
// The definition of `kind`, or null.
const GenericTestDefinition* FindGenericTest(std::string_view kind);
// The kinds, for messages and suggestions.
std::vector<std::string> GenericTestKinds();

}  // namespace silverwork::transform
