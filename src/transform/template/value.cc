#include "transform/template/value.h"

#include <fmt/format.h>

#include <cctype>
#include <charconv>

namespace silverwork::transform {

const TemplateValue* CallArguments::Keyword(std::string_view name) const {
  for (const auto& [key, value] : keyword)
    if (key == name) return &value;
  return nullptr;
}

const TemplateValue* CallArguments::Get(size_t index, std::string_view name) const {
  if (index < positional.size()) return &positional[index];
  return Keyword(name);
}

std::optional<Result<TemplateValue>> TemplateObject::Operate(std::string_view op,
                                                             const TemplateValue& other,
                                                             bool object_on_left) const {
  (void)op;
  (void)other;
  (void)object_on_left;
  return std::nullopt;
}

Result<TemplateValue> TemplateObject::Call(const CallArguments& args) const {
  (void)args;
  return TemplateError(fmt::format("a {} cannot be called", TypeName()));
}

bool TemplateValue::is_callable() const { return is_object() && as_object().IsCallable(); }

const TemplateValue* TemplateValue::Find(std::string_view key) const {
  for (const auto& [name, value] : as_dict())
    if (name == key) return &value;
  return nullptr;
}

void TemplateValue::Set(std::string key, TemplateValue value) const {
  Dict& dict = mutable_dict();
  for (auto& [name, existing] : dict) {
    if (name == key) {
      existing = std::move(value);
      return;
    }
  }
  dict.emplace_back(std::move(key), std::move(value));
}

TemplateValue TemplateValue::DeepCopy() const {
  if (is_list()) {
    List copy;
    copy.reserve(as_list().size());
    for (const TemplateValue& item : as_list()) copy.push_back(item.DeepCopy());
    return TemplateValue(std::move(copy));
  }
  if (is_dict()) {
    Dict copy;
    copy.reserve(as_dict().size());
    for (const auto& [key, item] : as_dict()) copy.emplace_back(key, item.DeepCopy());
    return FromDict(std::move(copy));
  }
  return *this;
}

bool TemplateValue::Truthy() const {
  if (is_none() || is_undefined()) return false;
  if (is_bool()) return as_bool();
  if (is_number()) return as_number() != 0;
  if (is_string()) return !as_string().empty();
  if (is_list()) return !as_list().empty();
  if (is_dict()) return !as_dict().empty();
  return true;
}

namespace {

// Python's repr() of a float: shortest round-trip digits, always with a '.'
// or an exponent (2.0, 1e+20, 0.1).
std::string RealText(double value) {
  std::string text = fmt::format("{}", value);
  if (text.find_first_of(".eEn") == std::string::npos) text += ".0";
  return text;
}

std::string QuotedString(const std::string& text) {
  const char quote = text.find('\'') != std::string::npos && text.find('"') == std::string::npos
                         ? '"'
                         : '\'';
  std::string out(1, quote);
  for (char c : text) {
    if (c == quote || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else {
      out += c;
    }
  }
  return out + quote;
}

}  // namespace

std::string TemplateValue::Render() const {
  if (is_none()) return "None";
  if (is_bool()) return as_bool() ? "True" : "False";
  if (is_int()) return std::to_string(as_int());
  if (is_real()) return RealText(std::get<double>(data_));
  if (is_string()) return as_string();
  if (is_list()) {
    std::string out = "[";
    for (const TemplateValue& item : as_list()) {
      if (out.size() > 1) out += ", ";
      out += item.Repr();
    }
    return out + "]";
  }
  if (is_dict()) {
    std::string out = "{";
    for (const auto& [key, item] : as_dict()) {
      if (out.size() > 1) out += ", ";
      out += QuotedString(key) + ": " + item.Repr();
    }
    return out + "}";
  }
  if (is_object()) return as_object().Render();
  return "";
}

std::string TemplateValue::Repr() const { return is_string() ? QuotedString(as_string()) : Render(); }

std::string TemplateValue::TypeName() const {
  if (is_none()) return "none";
  if (is_undefined()) return "undefined";
  if (is_bool()) return "boolean";
  if (is_int()) return "integer";
  if (is_real()) return "real";
  if (is_string()) return "string";
  if (is_list()) return "list";
  if (is_dict()) return "dict";
  return as_object().TypeName();
}

bool operator==(const TemplateValue& a, const TemplateValue& b) {
  auto numeric = [](const TemplateValue& value) { return value.is_number() || value.is_bool(); };
  if (numeric(a) && numeric(b)) {
    auto number = [](const TemplateValue& value) {
      return value.is_bool() ? (value.as_bool() ? 1.0 : 0.0) : value.as_number();
    };
    return number(a) == number(b);
  }
  if (a.is_list() && b.is_list()) return a.as_list() == b.as_list();
  if (a.is_dict() && b.is_dict()) {
    if (a.as_dict().size() != b.as_dict().size()) return false;
    for (const auto& [key, value] : a.as_dict()) {
      const TemplateValue* other = b.Find(key);
      if (!other || !(*other == value)) return false;
    }
    return true;
  }
  if (a.is_object() && b.is_object()) {
    if (a.object_pointer() == b.object_pointer()) return true;
    auto order = a.as_object().Compare(b.as_object());
    return order && *order == 0;
  }
  if (a.is_undefined() || b.is_undefined()) return a.is_undefined() && b.is_undefined();
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
