#include "transform/template/functions.h"

namespace silverwork::transform {
namespace {

constexpr std::array<FunctionSignature, 7> kChecked{{
    {"ref", 1, 2, true, false},
    {"source", 2, 2, true, false},
    {"config", 0, 0, false, true},
    {"var", 1, 2, false, false},
    {"is_incremental", 0, 0, false, false},
    {"env_var", 1, 2, false, false},
    {"return", 1, 1, false, false},
}};

}  // namespace

const FunctionSignature* FindFunction(std::string_view name) {
  for (const FunctionSignature& function : kChecked)
    if (function.name == name) return &function;
  return nullptr;
}

}  // namespace silverwork::transform
