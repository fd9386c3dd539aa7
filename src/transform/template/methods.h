// The methods of strings, lists and dicts that Jinja lets templates call, as
// Python has them: 'a,b'.split(','), name.upper(), xs.append(1),
// d.items(), d.get('k', 0), ... Methods that change a list or dict change
// it in place (it is shared, value.h). Immutable table; thread-safe.
#pragma once

#include <span>
#include <string_view>

#include "common/status.h"
#include "transform/template/value.h"

namespace silverwork::transform {

struct MethodDefinition {
  std::string_view type;  // "string", "list" or "dict"
  std::string_view name;
  Result<TemplateValue> (*apply)(const TemplateValue& self, const CallArguments& args);
};

// Every method, in documentation order.
std::span<const MethodDefinition> Methods();

// The method `name` of `self`'s type, or null when it has none.
const MethodDefinition* FindMethod(const TemplateValue& self, std::string_view name);

}  // namespace silverwork::transform
