// Jinja's tests, `value is name(args)` (and `is not`): defined, none,
// string, number, mapping, odd, divisibleby(3), eq(x), ... The filters
// select() and reject() take them by name. The parser checks names against
// this table. Immutable table; thread-safe.
#pragma once

#include <span>
#include <string_view>

#include "common/status.h"
#include "transform/template/value.h"

namespace silverwork::transform {

struct PredicateDefinition {
  std::string_view name;
  // Whether `value` passes; errors carry no location.
  // REQUIRES: args hold `arity` positional arguments.
  Result<bool> (*apply)(const TemplateValue& value, const CallArguments& args);
  int arity;
};

// Every test, in documentation order.
std::span<const PredicateDefinition> Predicates();
// The test `name` (aliases included: ==, equalto, ...), or null.
const PredicateDefinition* FindPredicate(std::string_view name);

}  // namespace silverwork::transform
