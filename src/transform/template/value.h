// TemplateValue: a value while a template renders (none, bool, integer,
// real, string or list), with Jinja's truthiness, rendering and equality.
//
// A plain value type; thread-compatible.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace silverwork::transform {

// A value while rendering: none, bool, integer, real, string or list.
class TemplateValue {
 public:
  using List = std::vector<TemplateValue>;

  TemplateValue() = default;
  TemplateValue(bool value) : data_(value) {}     // NOLINT(google-explicit-constructor)
  TemplateValue(int64_t value) : data_(value) {}  // NOLINT(google-explicit-constructor)
  TemplateValue(double value) : data_(value) {}   // NOLINT(google-explicit-constructor)
  TemplateValue(std::string value)
      : data_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  TemplateValue(const char* value)
      : data_(std::string(value)) {}                      // NOLINT(google-explicit-constructor)
  TemplateValue(List value) : data_(std::move(value)) {}  // NOLINT(google-explicit-constructor)

  bool is_none() const { return std::holds_alternative<std::monostate>(data_); }
  bool is_bool() const { return std::holds_alternative<bool>(data_); }
  bool is_int() const { return std::holds_alternative<int64_t>(data_); }
  bool is_real() const { return std::holds_alternative<double>(data_); }
  bool is_number() const { return is_int() || is_real(); }
  bool is_string() const { return std::holds_alternative<std::string>(data_); }
  bool is_list() const { return std::holds_alternative<List>(data_); }

  // REQUIRES: the matching is_*() is true.
  bool as_bool() const { return std::get<bool>(data_); }
  int64_t as_int() const { return std::get<int64_t>(data_); }
  double as_number() const {
    return is_int() ? static_cast<double>(as_int()) : std::get<double>(data_);
  }
  const std::string& as_string() const { return std::get<std::string>(data_); }
  const List& as_list() const { return std::get<List>(data_); }

  // Python's truthiness: none, false, 0, "" and [] are false.
  bool Truthy() const;
  // What {{ value }} writes: strings as-is, True/False/None, lists as ['a', 1].
  std::string Render() const;
  // Name of the type for messages ("string", "integer", ...).
  const char* TypeName() const;

  // Equality as in Jinja: numbers compare by value, other types must match.
  friend bool operator==(const TemplateValue& a, const TemplateValue& b);

  // Parses a value given as text (a --vars override, a YAML scalar): integers,
  // reals and true/false become typed values; text with a leading zero such
  // as "007" stays text, so codes keep their digits.
  static TemplateValue FromText(std::string_view text);

 private:
  std::variant<std::monostate, bool, int64_t, double, std::string, List> data_;
};

}  // namespace silverwork::transform
