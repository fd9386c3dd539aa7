#include "transform/data_tests/generic_tests.h"

namespace silverwork::transform {
namespace {

// Each pattern names its own aliases, so {model} may be a table or a
// parenthesized subquery (a test's `where` filter).
// Column names are used as written, as dbt does: an expression works, and a
// misspelt column is an engine error rather than (in SQLite, where an unknown
// "quoted" name falls back to a string literal) a silent pass.
constexpr std::array<GenericTestDefinition, 4> kDefinitions{{
    {"unique",
     {},
     "select {column} as unique_field, count(*) as n_records\nfrom {model} as tested\n"
     "where {column} is not null\ngroup by {column}\nhaving count(*) > 1",
     // A new duplicate has at least one row in the increment.
     "select {column} as unique_field, count(*) as n_records\nfrom {model} as tested\n"
     "where {column} in (select {column} from {increment} as increment where {column} is not "
     "null)\n"
     "group by {column}\nhaving count(*) > 1"},
    {"not_null", {}, "select *\nfrom {model} as tested\nwhere {column} is null"},
    {"accepted_values",
     {"values", "quote"},
     "select {column} as value_field, count(*) as n_records\nfrom {model} as tested\n"
     "where {column} is not null and {column} not in ({values})\ngroup by {column}"},
    {"relationships",
     {"to", "field"},
     "select child.{column} as from_field\nfrom {model} as child\n"
     "left join {parent} as parent on child.{column} = parent.{field}\n"
     "where child.{column} is not null and parent.{field} is null"},
}};

}  // namespace

std::span<const GenericTestDefinition> GenericTestDefinitions() { return kDefinitions; }

const GenericTestDefinition* FindGenericTest(std::string_view kind) {
  for (const auto& definition : kDefinitions)
    if (definition.kind == kind) return &definition;
  return nullptr;
}

std::vector<std::string> GenericTestKinds() {
  std::vector<std::string> kinds;
  kinds.reserve(kDefinitions.size());
  for (const auto& definition : kDefinitions) kinds.emplace_back(definition.kind);
  return kinds;
}

}  // namespace silverwork::transform
