// TemplateEnvironment: what a template's function calls and `this` resolve
// to while it renders. The compiler supplies one per node (ref, source, var,
// is_incremental, adapter macros); the manifest one for config() arguments.
//
// Implementations decide their own thread-safety; the renderer uses one
// environment from one thread.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "transform/template/value.h"

namespace silverwork::transform {

// Arguments of one function call, already evaluated.
struct CallArguments {
  std::vector<TemplateValue> positional;
  std::vector<std::pair<std::string, TemplateValue>> keyword;

  // The keyword argument `name`, or null.
  const TemplateValue* Keyword(std::string_view name) const {
    for (const auto& [key, value] : keyword)
      if (key == name) return &value;
    return nullptr;
  }
};

// Supplies what a template may call. Implementations return errors without
// location; the renderer prefixes "file:line: ".
class TemplateEnvironment {
 public:
  virtual ~TemplateEnvironment() = default;
  // REQUIRES: FindFunction(function) is not null (functions.h); the parser
  // checked the arity.
  virtual Result<TemplateValue> Call(const std::string& function, const CallArguments& args) = 0;
  // The value of `this`.
  virtual Result<TemplateValue> This() = 0;
};

}  // namespace silverwork::transform
