// The built-in macro package: macros every project has without defining
// them, as dbt's global project gives every dbt project its own. It is the
// repository's macros/adapters.sql (the adapter macros, dispatched per
// engine), compiled into silverwork at build time, so a dbt project copied
// in as it is gets them too. A project's (or a local package's) macro of the
// same name comes first (MacroRegistry's fallback package).
//
// Constant data; thread-safe.
#pragma once

#include <string_view>

#include "common/status.h"
#include "transform/template/macros.h"

namespace silverwork::transform {

// The package's name: `silverwork_builtins.string_agg(...)` names its macro
// even where a project's own macro of that name hides it.
inline constexpr std::string_view kBuiltinMacroPackage = "silverwork_builtins";
// The path its file has in error messages.
inline constexpr std::string_view kBuiltinMacroPath = "<silverwork_builtins>/macros/adapters.sql";

// The text of the package's one macro file (generated: builtin_macro_text.cc.in).
std::string_view BuiltinMacroSql();

// Parses the package's file and adds its macros to `registry` as package
// kBuiltinMacroPackage (the registry's fallback package, when it is built
// for a project).
Status AddBuiltinMacros(MacroRegistry& registry);

}  // namespace silverwork::transform
