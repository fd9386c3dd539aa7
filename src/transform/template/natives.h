// Functions written in C++ that templates call (NativeFunction), and the
// globals Jinja itself gives every template: range(), dict() and
// namespace(). Immutable once made; thread-safe.
#pragma once

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "transform/template/value.h"

namespace silverwork::transform {

class NativeFunction final : public TemplateObject {
 public:
  using Body = std::function<Result<TemplateValue>(const CallArguments&)>;
  NativeFunction(std::string name, Body body) : name_(std::move(name)), body_(std::move(body)) {}

  std::string TypeName() const override { return "function"; }
  bool IsCallable() const override { return true; }
  Result<TemplateValue> Call(const CallArguments& args) const override { return body_(args); }
  std::string Render() const override { return "<function " + name_ + ">"; }

 private:
  std::string name_;
  Body body_;
};

// A function value named `name`.
TemplateValue MakeFunction(std::string name, NativeFunction::Body body);

// Jinja's global `name` (range, dict, namespace), or nullopt.
std::optional<TemplateValue> JinjaGlobal(std::string_view name);

// The names JinjaGlobal knows, for documentation and its test.
std::span<const std::string_view> JinjaGlobalNames();

}  // namespace silverwork::transform
