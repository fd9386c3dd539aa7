// TemplateEnvironment: what a template's names mean when no scope of the
// template defines them — its functions (ref, source, var, ...), `this`,
// dbt's context (target, adapter, ...), the project's macros and packages.
// The compiler supplies one per node (compile/dbt_context.h); the manifest
// one for config() arguments.
//
// Implementations decide their own thread-safety; the renderer uses one
// environment from one thread.
#pragma once

#include <optional>
#include <string_view>

#include "common/status.h"
#include "transform/template/value.h"

namespace silverwork::transform {

class TemplateEnvironment {
 public:
  virtual ~TemplateEnvironment() = default;
  // The value of `name` as seen from code of `package` (macros of that
  // package come before the root project's); nullopt when the environment
  // has nothing of that name (the renderer then tries Jinja's globals). An
  // error for names it knows but does not support. Errors carry no
  // location; the renderer prefixes "path:line: ".
  virtual Result<std::optional<TemplateValue>> LookUp(std::string_view name,
                                                      std::string_view package) = 0;
};

}  // namespace silverwork::transform
