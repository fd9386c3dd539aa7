#include "transform/template/natives.h"

#include <array>

namespace silverwork::transform {
namespace {

constexpr std::array<std::string_view, 3> kGlobals{"range", "dict", "namespace"};

// range(stop) or range(start, stop[, step]), as Python's.
Result<TemplateValue> Range(const CallArguments& args) {
  for (const TemplateValue& bound : args.positional)
    if (!bound.is_int()) return TemplateError("range() takes integers");
  if (args.positional.empty() || args.positional.size() > 3)
    return TemplateError("range() takes 1 to 3 integers");
  int64_t start = 0;
  int64_t stop = args.positional[0].as_int();
  int64_t step = 1;
  if (args.positional.size() > 1) {
    start = args.positional[0].as_int();
    stop = args.positional[1].as_int();
  }
  if (args.positional.size() > 2) step = args.positional[2].as_int();
  if (step == 0) return TemplateError("range() step cannot be zero");
  constexpr int64_t kMaxItems = 100000;
  TemplateValue::List items;
  for (int64_t at = start; step > 0 ? at < stop : at > stop; at += step) {
    if (static_cast<int64_t>(items.size()) == kMaxItems)
      return TemplateError("range() of more than 100000 items");
    items.emplace_back(at);
  }
  return TemplateValue(std::move(items));
}

// dict(key=value, ...) and namespace(key=value, ...): a new dict.
Result<TemplateValue> NewDict(const CallArguments& args) {
  TemplateValue dict = TemplateValue::FromDict({});
  for (const TemplateValue& other : args.positional) {
    if (!other.is_dict()) return TemplateError("dict() takes a dict or key=value arguments");
    for (const auto& [key, value] : other.as_dict()) dict.Set(key, value);
  }
  for (const auto& [key, value] : args.keyword) dict.Set(key, value);
  return dict;
}

}  // namespace

TemplateValue MakeFunction(std::string name, NativeFunction::Body body) {
  return TemplateValue(std::make_shared<const NativeFunction>(std::move(name), std::move(body)));
}

std::optional<TemplateValue> JinjaGlobal(std::string_view name) {
  // Made once; functions are immutable, so every render may share them.
  static const TemplateValue range = MakeFunction("range", Range);
  static const TemplateValue dict = MakeFunction("dict", NewDict);
  static const TemplateValue name_space = MakeFunction("namespace", NewDict);
  if (name == "range") return range;
  if (name == "dict") return dict;
  if (name == "namespace") return name_space;
  return std::nullopt;
}

std::span<const std::string_view> JinjaGlobalNames() { return kGlobals; }

}  // namespace silverwork::transform
