// What Jinja's operators do to values, as Python does it: attribute and item
// access, slices, arithmetic, `~`, comparisons, `in`, iteration and length.
// The renderer, the filters and the methods share them. Errors carry no
// location (the renderer adds it). Pure functions; thread-compatible.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "transform/template/value.h"

namespace silverwork::transform {

// value.name: an object's attribute, a dict's key (Jinja falls back to
// items), `loop.index`...; undefined (saying what was missing) when there is
// none, an error on none, undefined and values without attributes.
Result<TemplateValue> GetAttribute(const TemplateValue& value, std::string_view name);

// value[key]: a list's or string's index (negative from the end), a dict's
// key; undefined when missing.
Result<TemplateValue> GetItem(const TemplateValue& value, const TemplateValue& key);

// value[start:stop:step] of a list or string; none for a bound left out.
Result<TemplateValue> GetSlice(const TemplateValue& value, const TemplateValue& start,
                               const TemplateValue& stop, const TemplateValue& step);

// a <op> b for + - * / // % ** and ~ (concatenation of both rendered).
Result<TemplateValue> BinaryOperation(std::string_view op, const TemplateValue& a,
                                      const TemplateValue& b);

// -value.
Result<TemplateValue> Negate(const TemplateValue& value);

// Ordering of two values for < > <= >= and sorting: numbers with numbers,
// strings with strings, lists item by item, objects that compare; an error
// otherwise. `op` names the operation in the error.
Result<int> CompareValues(const TemplateValue& a, const TemplateValue& b, std::string_view op);

// `item in container`: list membership, substring, dict key.
Result<bool> Contains(const TemplateValue& container, const TemplateValue& item);

// The items `for` walks: a list's items, a dict's keys, a string's
// characters (UTF-8 code points).
Result<TemplateValue::List> Iterate(const TemplateValue& value);

// len(value) of a string (in code points), list or dict.
Result<int64_t> Length(const TemplateValue& value);

// The UTF-8 code points of `text` (a malformed byte counts as one).
std::vector<std::string_view> CodePoints(std::string_view text);

// The error for using an undefined value (rendering it, calling it, ...).
Status UndefinedError(const TemplateValue& value);

}  // namespace silverwork::transform
