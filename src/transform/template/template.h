// Template: the Jinja subset that silverwork models, tests and snapshots are
// written in (the full list is in docs/transform.md).
//
// A file is parsed once into a tree (Template::Parse) and rendered any number
// of times against a TemplateEnvironment that supplies the functions (ref,
// source, config, var, is_incremental, adapter macros) and `this`. Parsing is
// strict: anything outside the subset — a filter, {% macro %}, an unknown
// function or name — is an error naming the file, line and construct, never
// passed through. Because ref() and source() only accept string literals, a
// caller can read a file's dependencies from the tree without rendering it
// (Template::ForEachCall).
//
// Templates are immutable values after parsing; rendering the same Template
// from several threads is safe if each uses its own environment.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/status.h"

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

// An expression inside {{ }} or {% %}.
struct Expr {
  enum class Kind {
    kLiteral,    // literal
    kList,       // [operands...]
    kName,       // name: a loop variable, `loop` or `this`
    kAttribute,  // operands[0].name, only on `loop`
    kCall,       // name(operands..., keyword_names[i]=keyword_values[i]...)
    kNot,        // not operands[0]
    kAnd,        // operands[0] and operands[1]
    kOr,         // operands[0] or operands[1]
    kCompare,    // operands[0] <name> operands[1]; name is ==, !=, <, >, <=, >=, in, not in
  };
  Kind kind = Kind::kLiteral;
  int line = 0;
  TemplateValue literal;
  std::string name;
  std::vector<Expr> operands;
  std::vector<std::string> keyword_names;
  std::vector<Expr> keyword_values;
};

struct TemplateNode {
  enum class Kind {
    kText,    // text
    kOutput,  // {{ expr }}
    kIf,   // {% if conditions[0] %} bodies[0] {% elif conditions[1] %} ... {% else %} bodies.back()
    kFor,  // {% for text in expr %} bodies[0] {% endfor %}
    kSnapshot,  // {% snapshot text %} bodies[0] {% endsnapshot %}
  };
  Kind kind = Kind::kText;
  int line = 0;
  std::string text;
  Expr expr;
  std::vector<Expr> conditions;
  std::vector<std::vector<TemplateNode>> bodies;
};

// Arguments of one function call, already evaluated.
struct CallArguments {
  std::vector<TemplateValue> positional;
  std::vector<std::pair<std::string, TemplateValue>> keyword;

  // The keyword argument `name`, or null.
  const TemplateValue* Keyword(std::string_view name) const;
};

// Supplies what a template may call. Implementations return errors without
// location; the renderer prefixes "file:line: ".
class TemplateEnvironment {
 public:
  virtual ~TemplateEnvironment() = default;
  // REQUIRES: `function` is one of SupportedFunctions(); arity was checked at parse.
  virtual Result<TemplateValue> Call(const std::string& function, const CallArguments& args) = 0;
  // The value of `this`.
  virtual Result<TemplateValue> This() = 0;
};

struct TemplateParseOptions {
  // {% snapshot name %} ... {% endsnapshot %} blocks are allowed (files under snapshots/).
  bool allow_snapshot_blocks = false;
};

class Template {
 public:
  Template() = default;

  // Parses `source`. `path` (relative to the project) names the file in errors.
  static Result<Template> Parse(std::string path, std::string_view source,
                                const TemplateParseOptions& options = {});

  // A template whose nodes are `nodes` (used to split snapshot blocks out of a file).
  Template(std::string path, std::vector<TemplateNode> nodes)
      : path_(std::move(path)), nodes_(std::move(nodes)) {}

  const std::string& path() const { return path_; }
  const std::vector<TemplateNode>& nodes() const { return nodes_; }

  // Visits every function call in source order, including calls inside
  // branches that a render would not take and calls nested in arguments.
  void ForEachCall(const std::function<void(const Expr&)>& visit) const;

  Result<std::string> Render(TemplateEnvironment& environment) const;

  // Evaluates a standalone expression (config arguments, `to: ref('x')` in YAML).
  Result<TemplateValue> Evaluate(const Expr& expr, TemplateEnvironment& environment) const;

 private:
  std::string path_;
  std::vector<TemplateNode> nodes_;
};

// Parses one expression such as "ref('customers')" written in a YAML file.
Result<Expr> ParseExpression(std::string_view path, int line, std::string_view text);

// Names callable from templates: the built-ins and the adapter macros.
std::span<const std::string_view> BuiltinFunctions();

}  // namespace silverwork::transform
