#include "transform/template/filters.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>

#include "transform/template/operations.h"
#include "transform/template/predicates.h"

namespace silverwork::transform {
namespace {

using List = TemplateValue::List;

Status NeedsType(std::string_view filter, std::string_view type, const TemplateValue& value) {
  return TemplateError(
      fmt::format("| {} needs {}, got {} {}", filter, type, value.TypeName(), value.Repr()));
}

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

std::string Upper(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return text;
}

// A positional-or-keyword argument, or `fallback`.
TemplateValue Arg(const CallArguments& args, size_t index, std::string_view name,
                  TemplateValue fallback = {}) {
  const TemplateValue* found = args.Get(index, name);
  return found ? *found : fallback;
}

// The item's `attribute` (dotted paths: 'a.b'), or the item itself.
Result<TemplateValue> Pick(const TemplateValue& item, const TemplateValue& attribute) {
  if (attribute.is_none()) return item;
  TemplateValue current = item;
  std::string path = attribute.Render();
  size_t from = 0;
  while (from <= path.size()) {
    size_t dot = path.find('.', from);
    std::string part = path.substr(from, dot == std::string::npos ? std::string::npos : dot - from);
    if (current.is_list() && !part.empty() && std::isdigit(static_cast<unsigned char>(part[0]))) {
      SW_ASSIGN_OR_RETURN(current, GetItem(current, TemplateValue::FromText(part)));
    } else {
      SW_ASSIGN_OR_RETURN(current, GetAttribute(current, part));
    }
    if (dot == std::string::npos) break;
    from = dot + 1;
  }
  return current;
}

// Sort and unique compare strings without case unless told otherwise.
TemplateValue SortKey(const TemplateValue& value, bool case_sensitive) {
  return value.is_string() && !case_sensitive ? TemplateValue(Lower(value.as_string())) : value;
}

Result<TemplateValue> Join(const TemplateValue& value, const CallArguments& args) {
  SW_ASSIGN_OR_RETURN(List items, Iterate(value));
  const std::string separator = Arg(args, 0, "d", "").Render();
  const TemplateValue attribute = Arg(args, 1, "attribute");
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    SW_ASSIGN_OR_RETURN(TemplateValue item, Pick(items[i], attribute));
    if (item.is_undefined()) return UndefinedError(item);
    if (i > 0) out += separator;
    out += item.Render();
  }
  return TemplateValue(std::move(out));
}

Result<TemplateValue> Replace(const TemplateValue& value, const CallArguments& args) {
  if (args.positional.size() < 2) return TemplateError("| replace needs (old, new)");
  std::string text = value.Render();
  const std::string old_text = args.positional[0].Render();
  const std::string new_text = args.positional[1].Render();
  const TemplateValue count = Arg(args, 2, "count");
  int64_t left = count.is_int() ? count.as_int() : -1;
  if (old_text.empty()) return TemplateValue(std::move(text));
  std::string out;
  size_t from = 0;
  for (size_t at = text.find(old_text); at != std::string::npos && left != 0;
       at = text.find(old_text, from), --left) {
    out += text.substr(from, at - from) + new_text;
    from = at + old_text.size();
  }
  return TemplateValue(out + text.substr(from));
}

Result<TemplateValue> Trim(const TemplateValue& value, const CallArguments& args) {
  std::string text = value.Render();
  const TemplateValue chars = Arg(args, 0, "chars");
  const std::string strip = chars.is_none() ? std::string(" \t\n\r\f\v") : chars.Render();
  const size_t first = text.find_first_not_of(strip);
  if (first == std::string::npos) return TemplateValue(std::string());
  return TemplateValue(text.substr(first, text.find_last_not_of(strip) - first + 1));
}

Result<TemplateValue> Default(const TemplateValue& value, const CallArguments& args) {
  const bool boolean = Arg(args, 1, "boolean", false).Truthy();
  if (value.is_undefined() || (boolean && !value.Truthy()))
    return Arg(args, 0, "default_value", std::string());
  return value;
}

Result<TemplateValue> FirstOrLast(const TemplateValue& value, bool first) {
  SW_ASSIGN_OR_RETURN(List items, Iterate(value));
  if (items.empty())
    return TemplateValue::Undefined(fmt::format("| {} of an empty {}", first ? "first" : "last",
                                                value.TypeName()));
  return first ? items.front() : items.back();
}

// map('filter', args...) or map(attribute='name', default=...).
Result<TemplateValue> Map(const TemplateValue& value, const CallArguments& args) {
  SW_ASSIGN_OR_RETURN(List items, Iterate(value));
  List out;
  if (const TemplateValue* attribute = args.Keyword("attribute")) {
    const TemplateValue* fallback = args.Keyword("default");
    for (const TemplateValue& item : items) {
      SW_ASSIGN_OR_RETURN(TemplateValue picked, Pick(item, *attribute));
      out.push_back(picked.is_undefined() && fallback ? *fallback : picked);
    }
    return TemplateValue(std::move(out));
  }
  if (args.positional.empty() || !args.positional[0].is_string())
    return TemplateError("| map needs a filter name or attribute='...'");
  const FilterDefinition* filter = FindFilter(args.positional[0].as_string());
  if (!filter) return TemplateError(fmt::format("| map: no filter '{}'", args.positional[0].as_string()));
  CallArguments rest{{args.positional.begin() + 1, args.positional.end()}, args.keyword};
  for (const TemplateValue& item : items) {
    SW_ASSIGN_OR_RETURN(TemplateValue mapped, filter->apply(item, rest));
    out.push_back(std::move(mapped));
  }
  return TemplateValue(std::move(out));
}

// select/reject(test, args...) and selectattr/rejectattr(attribute, test, args...).
Result<TemplateValue> Choose(const TemplateValue& value, const CallArguments& args, bool keep,
                             bool by_attribute) {
  SW_ASSIGN_OR_RETURN(List items, Iterate(value));
  size_t next = 0;
  TemplateValue attribute;
  if (by_attribute) {
    if (args.positional.empty()) return TemplateError("| selectattr needs an attribute name");
    attribute = args.positional[next++];
  }
  const PredicateDefinition* test = nullptr;
  if (next < args.positional.size()) {
    const std::string name = args.positional[next++].Render();
    test = FindPredicate(name);
    if (!test) return TemplateError(fmt::format("no test named '{}'", name));
  }
  CallArguments test_args{{args.positional.begin() + static_cast<std::ptrdiff_t>(next), args.positional.end()}, {}};
  if (test && static_cast<int>(test_args.positional.size()) != test->arity)
    return TemplateError(fmt::format("test '{}' takes {} argument(s)", test->name, test->arity));
  List out;
  for (const TemplateValue& item : items) {
    SW_ASSIGN_OR_RETURN(TemplateValue subject, Pick(item, attribute));
    bool passes = subject.Truthy();
    if (test) {
      SW_ASSIGN_OR_RETURN(passes, test->apply(subject, test_args));
    }
    if (passes == keep) out.push_back(item);
  }
  return TemplateValue(std::move(out));
}

Result<TemplateValue> Sort(const TemplateValue& value, const CallArguments& args) {
  SW_ASSIGN_OR_RETURN(List items, Iterate(value));
  const bool reverse = Arg(args, 0, "reverse", false).Truthy();
  const bool case_sensitive = Arg(args, 1, "case_sensitive", false).Truthy();
  const TemplateValue attribute = Arg(args, 2, "attribute");
  std::vector<std::pair<TemplateValue, TemplateValue>> keyed;
  for (const TemplateValue& item : items) {
    SW_ASSIGN_OR_RETURN(TemplateValue key, Pick(item, attribute));
    keyed.emplace_back(SortKey(key, case_sensitive), item);
  }
  Status failed;
  std::stable_sort(keyed.begin(), keyed.end(), [&](const auto& a, const auto& b) {
    auto order = CompareValues(a.first, b.first, "sort");
    if (!order.ok()) {
      failed = order.status();
      return false;
    }
    return reverse ? *order > 0 : *order < 0;
  });
  SW_RETURN_IF_ERROR(failed);
  List out;
  for (auto& [key, item] : keyed) out.push_back(std::move(item));
  return TemplateValue(std::move(out));
}

Result<TemplateValue> Unique(const TemplateValue& value, const CallArguments& args) {
  SW_ASSIGN_OR_RETURN(List items, Iterate(value));
  const bool case_sensitive = Arg(args, 0, "case_sensitive", false).Truthy();
  const TemplateValue attribute = Arg(args, 1, "attribute");
  List seen;
  List out;
  for (const TemplateValue& item : items) {
    SW_ASSIGN_OR_RETURN(TemplateValue key, Pick(item, attribute));
    key = SortKey(key, case_sensitive);
    if (std::find(seen.begin(), seen.end(), key) != seen.end()) continue;
    seen.push_back(key);
    out.push_back(item);
  }
  return TemplateValue(std::move(out));
}

// Python's int(): whole numbers, else the text's float truncated, else the default.
Result<TemplateValue> ToInt(const TemplateValue& value, const CallArguments& args) {
  const TemplateValue fallback = Arg(args, 0, "default", int64_t{0});
  if (value.is_int()) return value;
  if (value.is_bool()) return TemplateValue(int64_t{value.as_bool() ? 1 : 0});
  if (value.is_real()) return TemplateValue(static_cast<int64_t>(value.as_number()));
  if (!value.is_string()) return fallback;
  std::string text = value.as_string();
  text.erase(0, text.find_first_not_of(" \t\n"));
  text.erase(text.find_last_not_of(" \t\n") + 1);
  int64_t integer = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), integer);
  if (error == std::errc() && end == text.data() + text.size()) return TemplateValue(integer);
  double real = 0;
  auto [real_end, real_error] = std::from_chars(text.data(), text.data() + text.size(), real);
  if (real_error == std::errc() && real_end == text.data() + text.size() && std::isfinite(real))
    return TemplateValue(static_cast<int64_t>(real));
  return fallback;
}

Result<TemplateValue> ToFloat(const TemplateValue& value, const CallArguments& args) {
  const TemplateValue fallback = Arg(args, 0, "default", 0.0);
  if (value.is_number()) return TemplateValue(value.as_number());
  if (value.is_bool()) return TemplateValue(value.as_bool() ? 1.0 : 0.0);
  if (!value.is_string()) return fallback;
  std::string text = value.as_string();
  text.erase(0, text.find_first_not_of(" \t\n"));
  text.erase(text.find_last_not_of(" \t\n") + 1);
  double real = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), real);
  if (error == std::errc() && end == text.data() + text.size()) return TemplateValue(real);
  return fallback;
}

Result<TemplateValue> Round(const TemplateValue& value, const CallArguments& args) {
  if (!value.is_number()) return NeedsType("round", "a number", value);
  const TemplateValue precision = Arg(args, 0, "precision", int64_t{0});
  const std::string method = Arg(args, 1, "method", "common").Render();
  const double scale = std::pow(10.0, precision.is_int() ? precision.as_int() : 0);
  const double scaled = value.as_number() * scale;
  double rounded = method == "floor"  ? std::floor(scaled)
                   : method == "ceil" ? std::ceil(scaled)
                                      : std::round(scaled);
  return TemplateValue(rounded / scale);
}

// sum, min and max over the items (or their `attribute`).
Result<TemplateValue> Aggregate(const TemplateValue& value, const CallArguments& args,
                                std::string_view kind) {
  SW_ASSIGN_OR_RETURN(List items, Iterate(value));
  const TemplateValue attribute = args.Keyword("attribute") ? *args.Keyword("attribute") : TemplateValue();
  if (kind == "sum") {
    TemplateValue total = Arg(args, 1, "start", int64_t{0});
    for (const TemplateValue& item : items) {
      SW_ASSIGN_OR_RETURN(TemplateValue picked, Pick(item, attribute));
      SW_ASSIGN_OR_RETURN(total, BinaryOperation("+", total, picked));
    }
    return total;
  }
  const bool case_sensitive = Arg(args, 0, "case_sensitive", false).Truthy();
  if (items.empty()) return TemplateValue::Undefined(fmt::format("| {} of an empty list", kind));
  TemplateValue best = items.front();
  SW_ASSIGN_OR_RETURN(TemplateValue best_key, Pick(best, attribute));
  for (const TemplateValue& item : items) {
    SW_ASSIGN_OR_RETURN(TemplateValue key, Pick(item, attribute));
    SW_ASSIGN_OR_RETURN(int order, CompareValues(SortKey(key, case_sensitive),
                                                 SortKey(best_key, case_sensitive), kind));
    if (kind == "min" ? order < 0 : order > 0) {
      best = item;
      best_key = key;
    }
  }
  return best;
}

Result<TemplateValue> Reverse(const TemplateValue& value, const CallArguments&) {
  if (value.is_string()) {
    auto points = CodePoints(value.as_string());
    std::string out;
    for (auto point = points.rbegin(); point != points.rend(); ++point) out += *point;
    return TemplateValue(std::move(out));
  }
  SW_ASSIGN_OR_RETURN(List items, Iterate(value));
  std::reverse(items.begin(), items.end());
  return TemplateValue(std::move(items));
}

Result<TemplateValue> Items(const TemplateValue& value, const CallArguments&) {
  if (!value.is_dict()) return NeedsType("items", "a dict", value);
  List pairs;
  for (const auto& [key, item] : value.as_dict()) pairs.emplace_back(List{TemplateValue(key), item});
  return TemplateValue(std::move(pairs));
}

Result<TemplateValue> Capitalize(const TemplateValue& value, const CallArguments&) {
  std::string text = Lower(value.Render());
  if (!text.empty()) text[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(text[0])));
  return TemplateValue(std::move(text));
}

Result<TemplateValue> Title(const TemplateValue& value, const CallArguments&) {
  std::string text = value.Render();
  bool word_start = true;
  for (char& c : text) {
    const auto byte = static_cast<unsigned char>(c);
    c = static_cast<char>(word_start ? std::toupper(byte) : std::tolower(byte));
    word_start = !std::isalnum(byte);
  }
  return TemplateValue(std::move(text));
}

// dbt's as_bool: 'true'/'false' text (any case) to a boolean.
Result<TemplateValue> AsBool(const TemplateValue& value, const CallArguments&) {
  if (value.is_bool()) return value;
  const std::string text = Lower(value.Render());
  if (text == "true") return TemplateValue(true);
  if (text == "false") return TemplateValue(false);
  return NeedsType("as_bool", "true or false", value);
}

Result<TemplateValue> AsNumber(const TemplateValue& value, const CallArguments&) {
  if (value.is_number()) return value;
  TemplateValue parsed = TemplateValue::FromText(value.Render());
  if (!parsed.is_number()) return NeedsType("as_number", "a number", value);
  return parsed;
}

Result<TemplateValue> AsNative(const TemplateValue& value, const CallArguments&) {
  return value.is_string() ? TemplateValue::FromText(value.as_string()) : value;
}

Result<TemplateValue> ToJson(const TemplateValue& value, const CallArguments&) {
  SW_ASSIGN_OR_RETURN(std::string text, JsonText(value, /*sort_keys=*/true, /*html_safe=*/true));
  return TemplateValue(std::move(text));
}

Result<TemplateValue> AsList(const TemplateValue& value, const CallArguments&) {
  SW_ASSIGN_OR_RETURN(List items, Iterate(value));
  return TemplateValue(std::move(items));
}

Result<TemplateValue> LengthOf(const TemplateValue& value, const CallArguments&) {
  SW_ASSIGN_OR_RETURN(int64_t length, Length(value));
  return TemplateValue(length);
}

Result<TemplateValue> Abs(const TemplateValue& value, const CallArguments&) {
  if (value.is_int()) return TemplateValue(value.as_int() < 0 ? -value.as_int() : value.as_int());
  if (value.is_real()) return TemplateValue(std::fabs(value.as_number()));
  return NeedsType("abs", "a number", value);
}

constexpr std::array<FilterDefinition, 35> kFilters{{
    {"join", Join},
    {"upper", [](const TemplateValue& v, const CallArguments&) -> Result<TemplateValue> { return TemplateValue(Upper(v.Render())); }},
    {"lower", [](const TemplateValue& v, const CallArguments&) -> Result<TemplateValue> { return TemplateValue(Lower(v.Render())); }},
    {"replace", Replace},
    {"trim", Trim},
    {"default", Default, true},
    {"d", Default, true},
    {"length", LengthOf},
    {"count", LengthOf},
    {"list", AsList},
    {"first", [](const TemplateValue& v, const CallArguments&) { return FirstOrLast(v, true); }},
    {"last", [](const TemplateValue& v, const CallArguments&) { return FirstOrLast(v, false); }},
    {"map", Map},
    {"select", [](const TemplateValue& v, const CallArguments& a) { return Choose(v, a, true, false); }},
    {"reject", [](const TemplateValue& v, const CallArguments& a) { return Choose(v, a, false, false); }},
    {"selectattr", [](const TemplateValue& v, const CallArguments& a) { return Choose(v, a, true, true); }},
    {"rejectattr", [](const TemplateValue& v, const CallArguments& a) { return Choose(v, a, false, true); }},
    {"sort", Sort},
    {"unique", Unique},
    {"int", ToInt},
    {"float", ToFloat},
    {"string", [](const TemplateValue& v, const CallArguments&) -> Result<TemplateValue> { return TemplateValue(v.Render()); }},
    {"tojson", ToJson},
    {"abs", Abs},
    {"round", Round},
    {"sum", [](const TemplateValue& v, const CallArguments& a) { return Aggregate(v, a, "sum"); }},
    {"min", [](const TemplateValue& v, const CallArguments& a) { return Aggregate(v, a, "min"); }},
    {"max", [](const TemplateValue& v, const CallArguments& a) { return Aggregate(v, a, "max"); }},
    {"reverse", Reverse},
    {"items", Items},
    {"capitalize", Capitalize},
    {"title", Title},
    {"as_bool", AsBool},
    {"as_number", AsNumber},
    {"as_native", AsNative},
}};

void AppendJsonString(std::string& out, std::string_view text, bool html_safe) {
  out += '"';
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c < 0x20 || (html_safe && (c == '<' || c == '>' || c == '&' || c == '\''))) {
      out += fmt::format("\\u{:04x}", c);
    } else if (c < 0x80) {
      out += static_cast<char>(c);
    } else {
      // Decode one UTF-8 code point; ensure_ascii writes it as \uXXXX
      // (a surrogate pair beyond the basic plane).
      const size_t size = c >> 5 == 0x6 ? 2 : c >> 4 == 0xE ? 3 : 4;
      uint32_t point = c & (size == 2 ? 0x1F : size == 3 ? 0x0F : 0x07);
      for (size_t k = 1; k < size && i + k < text.size(); ++k)
        point = (point << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3F);
      i += size - 1;
      if (point >= 0x10000) {
        point -= 0x10000;
        out += fmt::format("\\u{:04x}\\u{:04x}", 0xD800 + (point >> 10), 0xDC00 + (point & 0x3FF));
      } else {
        out += fmt::format("\\u{:04x}", point);
      }
    }
  }
  out += '"';
}

Status AppendJson(std::string& out, const TemplateValue& value, bool sort_keys, bool html_safe) {
  if (value.is_none()) {
    out += "null";
  } else if (value.is_bool()) {
    out += value.as_bool() ? "true" : "false";
  } else if (value.is_number()) {
    out += value.Render();
  } else if (value.is_string()) {
    AppendJsonString(out, value.as_string(), html_safe);
  } else if (value.is_list()) {
    out += '[';
    for (size_t i = 0; i < value.as_list().size(); ++i) {
      if (i > 0) out += ", ";
      SW_RETURN_IF_ERROR(AppendJson(out, value.as_list()[i], sort_keys, html_safe));
    }
    out += ']';
  } else if (value.is_dict()) {
    TemplateValue::Dict entries = value.as_dict();
    if (sort_keys)
      std::stable_sort(entries.begin(), entries.end(),
                       [](const auto& a, const auto& b) { return a.first < b.first; });
    out += '{';
    for (size_t i = 0; i < entries.size(); ++i) {
      if (i > 0) out += ", ";
      AppendJsonString(out, entries[i].first, html_safe);
      out += ": ";
      SW_RETURN_IF_ERROR(AppendJson(out, entries[i].second, sort_keys, html_safe));
    }
    out += '}';
  } else if (value.is_undefined()) {
    return UndefinedError(value);
  } else {
    return TemplateError(fmt::format("a {} has no JSON form", value.TypeName()),
                         "convert it first, e.g. with | string");
  }
  return Status::Ok();
}

}  // namespace

std::span<const FilterDefinition> Filters() { return kFilters; }

const FilterDefinition* FindFilter(std::string_view name) {
  for (const FilterDefinition& filter : kFilters)
    if (filter.name == name) return &filter;
  return nullptr;
}

Result<std::string> JsonText(const TemplateValue& value, bool sort_keys, bool html_safe) {
  std::string out;
  SW_RETURN_IF_ERROR(AppendJson(out, value, sort_keys, html_safe));
  return out;
}

}  // namespace silverwork::transform
