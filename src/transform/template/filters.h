// Jinja's filters, `value | name(args)`: the ones dbt projects use most
// (join, upper, lower, replace, trim, default, length, list, first, last,
// map, select, reject, sort, unique, int, float, string, tojson), a few more
// of Jinja's, and dbt's as_bool / as_number / as_text / as_native. The
// parser checks names against this table. Immutable table; thread-safe.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "common/status.h"
#include "transform/template/value.h"

namespace silverwork::transform {

struct FilterDefinition {
  std::string_view name;
  // The filtered value; errors carry no location.
  Result<TemplateValue> (*apply)(const TemplateValue& value, const CallArguments& args);
  // Whether an undefined value reaches the filter (default does) instead
  // of being an error.
  bool accepts_undefined = false;
};

// Every filter, in documentation order.
std::span<const FilterDefinition> Filters();
// The filter `name` (aliases included: d, count), or null.
const FilterDefinition* FindFilter(std::string_view name);

// Python's json.dumps(value): ", " and ": " separators, non-ASCII as
// \uXXXX; keys sorted with `sort_keys` (Jinja's tojson filter) or in their
// order (dbt's tojson()). With `html_safe`, < > & ' are escaped too, as
// Jinja's filter does. An error for values JSON has no form for.
Result<std::string> JsonText(const TemplateValue& value, bool sort_keys, bool html_safe);

}  // namespace silverwork::transform
