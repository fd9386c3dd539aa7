#include "transform/template/value.h"

#include <fmt/format.h>

#include <cctype>
#include <charconv>

namespace silverwork::transform {

bool TemplateValue::Truthy() const {
  if (is_none()) return false;
  if (is_bool()) return as_bool();
  if (is_number()) return as_number() != 0;
  if (is_string()) return !as_string().empty();
  return !as_list().empty();
}

std::string TemplateValue::Render() const {
  if (is_none()) return "None";
  if (is_bool()) return as_bool() ? "True" : "False";
  if (is_int()) return std::to_string(as_int());
  if (is_real()) return fmt::format("{}", std::get<double>(data_));
  if (is_string()) return as_string();
  std::string out = "[";
  for (const TemplateValue& item : as_list()) {
    if (out.size() > 1) out += ", ";
    out += item.is_string() ? "'" + item.as_string() + "'" : item.Render();
  }
  return out + "]";
}

const char* TemplateValue::TypeName() const {
  if (is_none()) return "none";
  if (is_bool()) return "boolean";
  if (is_int()) return "integer";
  if (is_real()) return "real";
  if (is_string()) return "string";
  return "list";
}

bool operator==(const TemplateValue& a, const TemplateValue& b) {
  if (a.is_number() && b.is_number()) return a.as_number() == b.as_number();
  return a.data_ == b.data_;
}

TemplateValue TemplateValue::FromText(std::string_view text) {
  if (text == "true" || text == "True") return true;
  if (text == "false" || text == "False") return false;
  std::string_view digits = text;
  if (!digits.empty() && digits.front() == '-') digits.remove_prefix(1);
  if (digits.empty() || !std::isdigit(static_cast<unsigned char>(digits.front())))
    return std::string(text);
  // A leading zero followed by another digit marks a code ("007"), not a number.
  if (digits.size() > 1 && digits[0] == '0' && std::isdigit(static_cast<unsigned char>(digits[1])))
    return std::string(text);
  int64_t integer = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), integer);
  if (error == std::errc() && end == text.data() + text.size()) return integer;
  double real = 0;
  auto [real_end, real_error] = std::from_chars(text.data(), text.data() + text.size(), real);
  if (real_error == std::errc() && real_end == text.data() + text.size()) return real;
  return std::string(text);
}

}  // namespace silverwork::transform
