#include "transform/template/functions.h"

#include <vector>

#include "warehouse/adapter_macros.h"

namespace silverwork::transform {
namespace {

constexpr std::array<FunctionSignature, 5> kBuiltins{{
    {"ref", 1, 1, true, false},
    {"source", 2, 2, true, false},
    {"config", 0, 0, false, true},
    {"var", 1, 2, false, false},
    {"is_incremental", 0, 0, false, false},
}};

// The built-ins, then the adapter macros; built once, immutable afterwards.
const std::vector<FunctionSignature>& AllFunctions() {
  static const std::vector<FunctionSignature> functions = [] {
    std::vector<FunctionSignature> all(kBuiltins.begin(), kBuiltins.end());
    for (const auto& macro : AdapterMacroSignatures())
      all.push_back({.name = macro.name, .min_args = macro.min_args, .max_args = macro.max_args});
    return all;
  }();
  return functions;
}

}  // namespace

const FunctionSignature* FindFunction(std::string_view name) {
  for (const FunctionSignature& function : AllFunctions())
    if (function.name == name) return &function;
  return nullptr;
}

}  // namespace silverwork::transform
