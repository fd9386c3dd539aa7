#include "transform/template/operations.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace silverwork::transform {

std::vector<std::string_view> CodePoints(std::string_view text) {
  std::vector<std::string_view> points;
  for (size_t at = 0; at < text.size();) {
    const auto lead = static_cast<unsigned char>(text[at]);
    size_t size = lead < 0x80 ? 1 : lead >> 5 == 0x6 ? 2 : lead >> 4 == 0xE ? 3 : lead >> 3 == 0x1E ? 4 : 1;
    size = std::min(size, text.size() - at);
    points.push_back(text.substr(at, size));
    at += size;
  }
  return points;
}

namespace {

std::string Describe(const TemplateValue& value) {
  return value.is_undefined() ? "undefined" : fmt::format("{} {}", value.TypeName(), value.Repr());
}

bool IsNumeric(const TemplateValue& value) { return value.is_number() || value.is_bool(); }

double NumberOf(const TemplateValue& value) {
  return value.is_bool() ? (value.as_bool() ? 1.0 : 0.0) : value.as_number();
}

int64_t IntegerOf(const TemplateValue& value) {
  return value.is_bool() ? (value.as_bool() ? 1 : 0) : value.as_int();
}

bool BothIntegers(const TemplateValue& a, const TemplateValue& b) {
  return (a.is_int() || a.is_bool()) && (b.is_int() || b.is_bool());
}

// Python's floor division and modulo of integers (the result takes the
// divisor's sign).
int64_t FloorDivide(int64_t a, int64_t b) {
  int64_t quotient = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --quotient;
  return quotient;
}

Result<TemplateValue> Arithmetic(std::string_view op, const TemplateValue& a,
                                 const TemplateValue& b) {
  const bool integers = BothIntegers(a, b);
  if ((op == "/" || op == "//" || op == "%") && NumberOf(b) == 0)
    return TemplateError(fmt::format("division by zero in {} {} {}", a.Repr(), op, b.Repr()));
  if (integers) {
    const int64_t x = IntegerOf(a);
    const int64_t y = IntegerOf(b);
    if (op == "+") return TemplateValue(x + y);
    if (op == "-") return TemplateValue(x - y);
    if (op == "*") return TemplateValue(x * y);
    if (op == "//") return TemplateValue(FloorDivide(x, y));
    if (op == "%") return TemplateValue(x - FloorDivide(x, y) * y);
    if (op == "**" && y >= 0) {
      int64_t power = 1;
      for (int64_t i = 0; i < y; ++i) power *= x;
      return TemplateValue(power);
    }
  }
  const double x = NumberOf(a);
  const double y = NumberOf(b);
  if (op == "+") return TemplateValue(x + y);
  if (op == "-") return TemplateValue(x - y);
  if (op == "*") return TemplateValue(x * y);
  if (op == "/") return TemplateValue(x / y);
  if (op == "//") return TemplateValue(std::floor(x / y));
  if (op == "%") return TemplateValue(x - std::floor(x / y) * y);
  return TemplateValue(std::pow(x, y));
}

Result<TemplateValue> Repeat(const TemplateValue& sequence, const TemplateValue& count) {
  const int64_t times = std::max<int64_t>(0, IntegerOf(count));
  if (sequence.is_string()) {
    std::string out;
    for (int64_t i = 0; i < times; ++i) out += sequence.as_string();
    return TemplateValue(std::move(out));
  }
  TemplateValue::List out;
  for (int64_t i = 0; i < times; ++i)
    out.insert(out.end(), sequence.as_list().begin(), sequence.as_list().end());
  return TemplateValue(std::move(out));
}

// A Python index into a sequence of `size`: negative counts from the end;
// nullopt when out of range.
std::optional<size_t> ResolveIndex(int64_t index, size_t size) {
  if (index < 0) index += static_cast<int64_t>(size);
  if (index < 0 || index >= static_cast<int64_t>(size)) return std::nullopt;
  return static_cast<size_t>(index);
}

}  // namespace

Status UndefinedError(const TemplateValue& value) {
  return TemplateError(value.undefined_what(),
                       "define it with {% set %}, pass it as a macro argument, or check the "
                       "spelling; docs/transform.md lists the names silverwork knows");
}

Result<TemplateValue> GetAttribute(const TemplateValue& value, std::string_view name) {
  if (value.is_undefined()) return UndefinedError(value);
  if (value.is_object()) {
    if (auto attribute = value.as_object().Attribute(name)) return *attribute;
    return TemplateValue::Undefined(
        fmt::format("'{}' has no attribute '{}'", value.as_object().TypeName(), name));
  }
  if (value.is_dict()) {
    if (const TemplateValue* found = value.Find(name)) return *found;
    return TemplateValue::Undefined(fmt::format("dict has no key '{}'", name));
  }
  return TemplateError(fmt::format("{} has no attribute '{}'", Describe(value), name));
}

Result<TemplateValue> GetItem(const TemplateValue& value, const TemplateValue& key) {
  if (value.is_undefined()) return UndefinedError(value);
  if (key.is_undefined()) return UndefinedError(key);
  if (value.is_dict()) {
    if (!key.is_string()) return TemplateValue::Undefined(fmt::format("dict has no key {}", key.Repr()));
    if (const TemplateValue* found = value.Find(key.as_string())) return *found;
    return TemplateValue::Undefined(fmt::format("dict has no key {}", key.Repr()));
  }
  if (value.is_object() && key.is_string()) return GetAttribute(value, key.as_string());
  if ((value.is_list() || value.is_string()) && (key.is_int() || key.is_bool())) {
    if (value.is_list()) {
      auto index = ResolveIndex(IntegerOf(key), value.as_list().size());
      if (!index) return TemplateValue::Undefined(fmt::format("list index {} is out of range", key.Render()));
      return value.as_list()[*index];
    }
    auto points = CodePoints(value.as_string());
    auto index = ResolveIndex(IntegerOf(key), points.size());
    if (!index) return TemplateValue::Undefined(fmt::format("string index {} is out of range", key.Render()));
    return TemplateValue(std::string(points[*index]));
  }
  return TemplateError(fmt::format("cannot index {} with {}", Describe(value), Describe(key)));
}

Result<TemplateValue> GetSlice(const TemplateValue& value, const TemplateValue& start,
                               const TemplateValue& stop, const TemplateValue& step) {
  for (const TemplateValue* bound : {&start, &stop, &step})
    if (!bound->is_none() && !bound->is_int())
      return TemplateError(fmt::format("slice bounds must be integers, got {}", Describe(*bound)));
  if (!value.is_list() && !value.is_string())
    return TemplateError(fmt::format("cannot slice {}", Describe(value)));
  const int64_t stride = step.is_none() ? 1 : step.as_int();
  if (stride == 0) return TemplateError("slice step cannot be zero");
  std::vector<std::string_view> points;
  if (value.is_string()) points = CodePoints(value.as_string());
  const auto size = static_cast<int64_t>(value.is_list() ? value.as_list().size() : points.size());
  // Python's slice.indices(): clamp the bounds into the sequence.
  auto clamp = [&](const TemplateValue& bound, int64_t fallback) {
    if (bound.is_none()) return fallback;
    int64_t at = bound.as_int();
    if (at < 0) at += size;
    return stride > 0 ? std::clamp<int64_t>(at, 0, size) : std::clamp<int64_t>(at, -1, size - 1);
  };
  const int64_t from = clamp(start, stride > 0 ? 0 : size - 1);
  const int64_t to = clamp(stop, stride > 0 ? size : -1);
  TemplateValue::List items;
  std::string text;
  for (int64_t at = from; stride > 0 ? at < to : at > to; at += stride) {
    if (value.is_list()) {
      items.push_back(value.as_list()[static_cast<size_t>(at)]);
    } else {
      text += points[static_cast<size_t>(at)];
    }
  }
  return value.is_list() ? TemplateValue(std::move(items)) : TemplateValue(std::move(text));
}

Result<TemplateValue> BinaryOperation(std::string_view op, const TemplateValue& a,
                                      const TemplateValue& b) {
  if (a.is_undefined()) return UndefinedError(a);
  if (b.is_undefined()) return UndefinedError(b);
  if (op == "~") return TemplateValue(a.Render() + b.Render());
  if (IsNumeric(a) && IsNumeric(b)) return Arithmetic(op, a, b);
  if (op == "+" && a.is_string() && b.is_string()) return TemplateValue(a.as_string() + b.as_string());
  if (op == "+" && a.is_list() && b.is_list()) {
    TemplateValue::List joined = a.as_list();
    joined.insert(joined.end(), b.as_list().begin(), b.as_list().end());
    return TemplateValue(std::move(joined));
  }
  if (op == "*" && (a.is_string() || a.is_list()) && (b.is_int() || b.is_bool())) return Repeat(a, b);
  if (op == "*" && (b.is_string() || b.is_list()) && (a.is_int() || a.is_bool())) return Repeat(b, a);
  if (a.is_object())
    if (auto result = a.as_object().Operate(op, b, /*object_on_left=*/true)) return *std::move(result);
  if (b.is_object())
    if (auto result = b.as_object().Operate(op, a, /*object_on_left=*/false)) return *std::move(result);
  return TemplateError(
      fmt::format("unsupported operand types for {}: {} and {}", op, Describe(a), Describe(b)),
      op == "+" ? "to join text with other values use ~, e.g. 'day_' ~ 3" : "");
}

Result<TemplateValue> Negate(const TemplateValue& value) {
  if (value.is_int() || value.is_bool()) return TemplateValue(-IntegerOf(value));
  if (value.is_real()) return TemplateValue(-value.as_number());
  if (value.is_undefined()) return UndefinedError(value);
  return TemplateError(fmt::format("cannot negate {}", Describe(value)));
}

Result<int> CompareValues(const TemplateValue& a, const TemplateValue& b, std::string_view op) {
  if (a.is_undefined()) return UndefinedError(a);
  if (b.is_undefined()) return UndefinedError(b);
  if (IsNumeric(a) && IsNumeric(b)) {
    const double x = NumberOf(a);
    const double y = NumberOf(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (a.is_string() && b.is_string()) {
    const int order = a.as_string().compare(b.as_string());
    return order < 0 ? -1 : order > 0 ? 1 : 0;
  }
  if (a.is_list() && b.is_list()) {
    const auto& x = a.as_list();
    const auto& y = b.as_list();
    for (size_t i = 0; i < x.size() && i < y.size(); ++i) {
      SW_ASSIGN_OR_RETURN(int order, CompareValues(x[i], y[i], op));
      if (order != 0) return order;
    }
    return x.size() < y.size() ? -1 : x.size() > y.size() ? 1 : 0;
  }
  if (a.is_object() && b.is_object()) {
    if (auto order = a.as_object().Compare(b.as_object())) return *order;
  }
  return TemplateError(fmt::format("cannot compare {} with {} using '{}'", Describe(a), Describe(b), op));
}

Result<bool> Contains(const TemplateValue& container, const TemplateValue& item) {
  if (container.is_undefined()) return UndefinedError(container);
  if (item.is_undefined()) return UndefinedError(item);
  if (container.is_list()) {
    for (const TemplateValue& candidate : container.as_list())
      if (candidate == item) return true;
    return false;
  }
  if (container.is_dict()) return item.is_string() && container.Find(item.as_string()) != nullptr;
  if (container.is_string() && item.is_string())
    return container.as_string().find(item.as_string()) != std::string::npos;
  return TemplateError(fmt::format("cannot look for {} in {}", Describe(item), Describe(container)));
}

Result<TemplateValue::List> Iterate(const TemplateValue& value) {
  if (value.is_list()) return value.as_list();
  if (value.is_dict()) {
    TemplateValue::List keys;
    for (const auto& [key, item] : value.as_dict()) keys.emplace_back(key);
    return keys;
  }
  if (value.is_string()) {
    TemplateValue::List characters;
    for (std::string_view point : CodePoints(value.as_string())) characters.emplace_back(std::string(point));
    return characters;
  }
  if (value.is_undefined()) return UndefinedError(value);
  return TemplateError(fmt::format("cannot loop over {}", Describe(value)),
                       "loop over a list, a dict (its keys, or .items()) or a string");
}

Result<int64_t> Length(const TemplateValue& value) {
  if (value.is_string()) return static_cast<int64_t>(CodePoints(value.as_string()).size());
  if (value.is_list()) return static_cast<int64_t>(value.as_list().size());
  if (value.is_dict()) return static_cast<int64_t>(value.as_dict().size());
  if (value.is_undefined()) return UndefinedError(value);
  return TemplateError(fmt::format("{} has no length", Describe(value)));
}

}  // namespace silverwork::transform
