// TemplateValue: a value while a template renders, with Python's (and so
// Jinja's) meaning: none, bool, integer, real, string, list, dict, an object
// (a macro, a function, a relation, a date, a namespace of the dbt context)
// or undefined (a name nothing defines, a missing key).
//
// Lists and dicts are shared, as in Python: copying a TemplateValue copies a
// reference, so `{% do xs.append(1) %}` changes the list every name holding
// it sees. Literals and functions make new ones; DeepCopy() detaches a value
// that several renders share (a var). Undefined renders as an error naming
// what was undefined, so a typo never reaches SQL as an empty string.
//
// A value is thread-compatible; a list or dict reached from two threads
// must not be changed by either (each render makes its own).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "common/status.h"

namespace silverwork::transform {

class TemplateObject;
class TemplateValue;
struct MacroDefinition;

// Arguments of one call, already evaluated.
struct CallArguments {
  std::vector<TemplateValue> positional;
  std::vector<std::pair<std::string, TemplateValue>> keyword;

  // The keyword argument `name`, or null.
  const TemplateValue* Keyword(std::string_view name) const;
  // Positional argument `index`, else keyword `name`, else null.
  const TemplateValue* Get(size_t index, std::string_view name) const;
};

// A name nothing defines, or an attribute, key or index that is missing;
// `what` says which ("'foo' is undefined", "dict has no key 'x'").
struct UndefinedValue {
  std::string what;
  friend bool operator==(const UndefinedValue&, const UndefinedValue&) { return true; }
};

class TemplateValue {
 public:
  using List = std::vector<TemplateValue>;
  // Keys in insertion order, like a Python dict.
  using Dict = std::vector<std::pair<std::string, TemplateValue>>;
  using Object = std::shared_ptr<const TemplateObject>;

  TemplateValue() = default;
  TemplateValue(bool value) : data_(value) {}     // NOLINT(google-explicit-constructor)
  TemplateValue(int64_t value) : data_(value) {}  // NOLINT(google-explicit-constructor)
  TemplateValue(int value) : data_(int64_t{value}) {}  // NOLINT(google-explicit-constructor)
  TemplateValue(double value) : data_(value) {}        // NOLINT(google-explicit-constructor)
  TemplateValue(std::string value)                     // NOLINT(google-explicit-constructor)
      : data_(std::move(value)) {}
  TemplateValue(const char* value)  // NOLINT(google-explicit-constructor)
      : data_(std::string(value)) {}
  TemplateValue(List value)  // NOLINT(google-explicit-constructor)
      : data_(std::make_shared<List>(std::move(value))) {}
  TemplateValue(Object value) : data_(std::move(value)) {}  // NOLINT(google-explicit-constructor)

  static TemplateValue FromDict(Dict dict) {
    TemplateValue value;
    value.data_ = std::make_shared<Dict>(std::move(dict));
    return value;
  }
  static TemplateValue Undefined(std::string what) {
    TemplateValue value;
    value.data_ = UndefinedValue{std::move(what)};
    return value;
  }

  bool is_none() const { return std::holds_alternative<std::monostate>(data_); }
  bool is_undefined() const { return std::holds_alternative<UndefinedValue>(data_); }
  bool is_bool() const { return std::holds_alternative<bool>(data_); }
  bool is_int() const { return std::holds_alternative<int64_t>(data_); }
  bool is_real() const { return std::holds_alternative<double>(data_); }
  bool is_number() const { return is_int() || is_real(); }
  bool is_string() const { return std::holds_alternative<std::string>(data_); }
  bool is_list() const { return std::holds_alternative<std::shared_ptr<List>>(data_); }
  bool is_dict() const { return std::holds_alternative<std::shared_ptr<Dict>>(data_); }
  bool is_object() const { return std::holds_alternative<Object>(data_); }
  bool is_callable() const;

  // REQUIRES: the matching is_*() is true.
  bool as_bool() const { return std::get<bool>(data_); }
  int64_t as_int() const { return std::get<int64_t>(data_); }
  double as_number() const {
    return is_int() ? static_cast<double>(as_int()) : std::get<double>(data_);
  }
  const std::string& as_string() const { return std::get<std::string>(data_); }
  const List& as_list() const { return *std::get<std::shared_ptr<List>>(data_); }
  const Dict& as_dict() const { return *std::get<std::shared_ptr<Dict>>(data_); }
  const TemplateObject& as_object() const { return *std::get<Object>(data_); }
  const Object& object_pointer() const { return std::get<Object>(data_); }
  const std::string& undefined_what() const { return std::get<UndefinedValue>(data_).what; }
  // The shared list or dict itself, for the methods that change it
  // (append, update, ...): every value holding it sees the change.
  List& mutable_list() const { return *std::get<std::shared_ptr<List>>(data_); }
  Dict& mutable_dict() const { return *std::get<std::shared_ptr<Dict>>(data_); }

  // The value under `key` of a dict, or null. REQUIRES: is_dict().
  const TemplateValue* Find(std::string_view key) const;
  // Sets `key` of a dict (in place, keeping its position). REQUIRES: is_dict().
  void Set(std::string key, TemplateValue value) const;

  // The same value with new lists and dicts all the way down.
  TemplateValue DeepCopy() const;

  // Python's truthiness: none, undefined, false, 0, "", [] and {} are false.
  bool Truthy() const;
  // Python's str(): what {{ value }} writes. Strings as they are,
  // True/False/None, 2.0 for a real, lists as ['a', 1], dicts as {'k': 1}.
  // REQUIRES: !is_undefined() (the renderer reports it instead).
  std::string Render() const;
  // Python's repr(): strings quoted ('it\'s'), everything else as Render().
  std::string Repr() const;
  // Name of the type for messages ("string", "integer", "list", ...).
  std::string TypeName() const;

  // Equality as in Python: numbers (and booleans) compare by value, lists
  // and dicts by content, objects by identity.
  friend bool operator==(const TemplateValue& a, const TemplateValue& b);

  // Parses a value given as text (a --vars override, a YAML scalar): integers,
  // reals and true/false become typed values; text with a leading zero such
  // as "007" stays text, so codes keep their digits.
  static TemplateValue FromText(std::string_view text);

 private:
  std::variant<std::monostate, UndefinedValue, bool, int64_t, double, std::string,
               std::shared_ptr<List>, std::shared_ptr<Dict>, Object>
      data_;
};

// Something a template holds that is not plain data: a function, a macro, a
// relation, a date, a namespace of the dbt context. Immutable; what it does
// when called is up to it.
class TemplateObject {
 public:
  virtual ~TemplateObject() = default;
  // For messages and `is` tests: "function", "relation", "datetime", ...
  virtual std::string TypeName() const = 0;
  // The attribute `name` (`this.identifier`, `modules.datetime`), or
  // nullopt when the object has none.
  virtual std::optional<TemplateValue> Attribute(std::string_view name) const {
    (void)name;
    return std::nullopt;
  }
  virtual bool IsCallable() const { return false; }
  // Calls the object. Errors carry no location; the renderer adds it.
  // REQUIRES: IsCallable(), and not a macro (the renderer calls those).
  virtual Result<TemplateValue> Call(const CallArguments& args) const;
  // What {{ object }} writes.
  virtual std::string Render() const { return "<" + TypeName() + ">"; }
  // Python's comparison of two objects of the same type: negative, 0 or
  // positive; nullopt when they do not compare (the default).
  virtual std::optional<int> Compare(const TemplateObject& other) const {
    (void)other;
    return std::nullopt;
  }
  // Python's `self op other` (object_on_left) or `other op self` for the
  // arithmetic operators (+ - * ...); nullopt when the object gives the
  // operation no meaning (the caller tries the other operand, then errs).
  virtual std::optional<Result<TemplateValue>> Operate(std::string_view op,
                                                       const TemplateValue& other,
                                                       bool object_on_left) const;
  // A macro of the project or a package: the renderer calls it itself.
  virtual const MacroDefinition* AsMacro() const { return nullptr; }
};

// Errors of natives (functions, methods, filters): no location, the
// renderer prefixes "path:line: ".
inline Status TemplateError(std::string message, std::string hint = {}) {
  return Status(ErrorCode::kInvalidInput, std::move(message), std::move(hint));
}

}  // namespace silverwork::transform
