#include "transform/project/builtin_macros.h"

#include <string>
#include <utility>

#include "transform/template/template.h"

namespace silverwork::transform {

Status AddBuiltinMacros(MacroRegistry& registry) {
  SW_ASSIGN_OR_RETURN(Template parsed, Template::Parse(std::string(kBuiltinMacroPath),
                                                       BuiltinMacroSql(),
                                                       {.literal_refs_only = false}));
  return registry.AddTemplate(std::string(kBuiltinMacroPackage), std::move(parsed));
}

}  // namespace silverwork::transform
