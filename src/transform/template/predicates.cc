#include "transform/template/predicates.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>

#include "transform/template/operations.h"

namespace silverwork::transform {
namespace {

const TemplateValue& Argument(const CallArguments& args) { return args.positional.at(0); }

Result<bool> Ordered(const TemplateValue& value, const CallArguments& args, std::string_view op,
                     bool (*accept)(int)) {
  SW_ASSIGN_OR_RETURN(int order, CompareValues(value, Argument(args), op));
  return accept(order);
}

Result<bool> Divisible(const TemplateValue& value, int64_t by) {
  if (!value.is_int()) return TemplateError(fmt::format("'{}' is not an integer", value.Render()));
  if (by == 0) return TemplateError("divisibleby(0): division by zero");
  return value.as_int() % by == 0;
}

// Python's str.islower() / isupper(): some cased letter, none of the other case.
bool AllCased(const TemplateValue& value, bool upper) {
  if (!value.is_string()) return false;
  bool cased = false;
  for (unsigned char c : value.as_string()) {
    if (upper ? std::islower(c) : std::isupper(c)) return false;
    cased |= (upper ? std::isupper(c) : std::islower(c)) != 0;
  }
  return cased;
}

constexpr std::array<PredicateDefinition, 29> kPredicates{{
    {"defined", [](const TemplateValue& v, const CallArguments&) -> Result<bool> { return !v.is_undefined(); }, 0},
    {"undefined", [](const TemplateValue& v, const CallArguments&) -> Result<bool> { return v.is_undefined(); }, 0},
    {"none", [](const TemplateValue& v, const CallArguments&) -> Result<bool> { return v.is_none(); }, 0},
    {"string", [](const TemplateValue& v, const CallArguments&) -> Result<bool> { return v.is_string(); }, 0},
    {"number", [](const TemplateValue& v, const CallArguments&) -> Result<bool> { return v.is_number(); }, 0},
    {"integer", [](const TemplateValue& v, const CallArguments&) -> Result<bool> { return v.is_int(); }, 0},
    {"float", [](const TemplateValue& v, const CallArguments&) -> Result<bool> { return v.is_real(); }, 0},
    {"boolean", [](const TemplateValue& v, const CallArguments&) -> Result<bool> { return v.is_bool(); }, 0},
    {"true", [](const TemplateValue& v, const CallArguments&) -> Result<bool> { return v.is_bool() && v.as_bool(); }, 0},
    {"false", [](const TemplateValue& v, const CallArguments&) -> Result<bool> { return v.is_bool() && !v.as_bool(); }, 0},
    {"mapping", [](const TemplateValue& v, const CallArguments&) -> Result<bool> { return v.is_dict(); }, 0},
    {"sequence", [](const TemplateValue& v, const CallArguments&) -> Result<bool> { return v.is_list() || v.is_string() || v.is_dict(); }, 0},
    {"iterable", [](const TemplateValue& v, const CallArguments&) -> Result<bool> { return v.is_list() || v.is_string() || v.is_dict(); }, 0},
    {"callable", [](const TemplateValue& v, const CallArguments&) -> Result<bool> { return v.is_callable(); }, 0},
    {"odd", [](const TemplateValue& v, const CallArguments&) -> Result<bool> {
       SW_ASSIGN_OR_RETURN(bool even, Divisible(v, 2));
       return !even;
     }, 0},
    {"even", [](const TemplateValue& v, const CallArguments&) { return Divisible(v, 2); }, 0},
    {"divisibleby", [](const TemplateValue& v, const CallArguments& a) -> Result<bool> {
       if (!Argument(a).is_int()) return TemplateError("divisibleby() needs an integer");
       return Divisible(v, Argument(a).as_int());
     }, 1},
    {"eq", [](const TemplateValue& v, const CallArguments& a) -> Result<bool> { return v == Argument(a); }, 1},
    {"equalto", [](const TemplateValue& v, const CallArguments& a) -> Result<bool> { return v == Argument(a); }, 1},
    {"==", [](const TemplateValue& v, const CallArguments& a) -> Result<bool> { return v == Argument(a); }, 1},
    {"ne", [](const TemplateValue& v, const CallArguments& a) -> Result<bool> { return !(v == Argument(a)); }, 1},
    {"lt", [](const TemplateValue& v, const CallArguments& a) { return Ordered(v, a, "<", [](int o) { return o < 0; }); }, 1},
    {"le", [](const TemplateValue& v, const CallArguments& a) { return Ordered(v, a, "<=", [](int o) { return o <= 0; }); }, 1},
    {"gt", [](const TemplateValue& v, const CallArguments& a) { return Ordered(v, a, ">", [](int o) { return o > 0; }); }, 1},
    {"ge", [](const TemplateValue& v, const CallArguments& a) { return Ordered(v, a, ">=", [](int o) { return o >= 0; }); }, 1},
    {"in", [](const TemplateValue& v, const CallArguments& a) { return Contains(Argument(a), v); }, 1},
    {"sameas", [](const TemplateValue& v, const CallArguments& a) -> Result<bool> {
       const TemplateValue& other = Argument(a);
       if (v.is_object() && other.is_object()) return v.object_pointer() == other.object_pointer();
       return v.TypeName() == other.TypeName() && v == other;
     }, 1},
    {"lower", [](const TemplateValue& v, const CallArguments&) -> Result<bool> { return AllCased(v, false); }, 0},
    {"upper", [](const TemplateValue& v, const CallArguments&) -> Result<bool> { return AllCased(v, true); }, 0},
}};

}  // namespace

std::span<const PredicateDefinition> Predicates() { return kPredicates; }

const PredicateDefinition* FindPredicate(std::string_view name) {
  for (const PredicateDefinition& predicate : kPredicates)
    if (predicate.name == name) return &predicate;
  return nullptr;
}

}  // namespace silverwork::transform
