// The functions a template may call, with the arguments each takes: the
// built-ins (ref, source, config, var, is_incremental) and the adapter
// macros every warehouse engine spells in its own SQL
// (warehouse/adapter_macros.h). The expression parser checks every call
// against this list, so rendering never meets an unknown function.
// Immutable tables; thread-safe.
#pragma once

#include <array>
#include <string_view>

namespace silverwork::transform {

struct FunctionSignature {
  std::string_view name;
  int min_args = 0;
  int max_args = 0;
  // ref() and source(): string literals only, so dependencies are known
  // without rendering.
  bool literal_string_args = false;
  // config(): keyword arguments only.
  bool keyword_args_only = false;
};

// The signature of `name`, or null when templates cannot call it.
const FunctionSignature* FindFunction(std::string_view name);

// The attributes of `loop` inside a for loop.
inline constexpr std::array<std::string_view, 5> kLoopAttributes{"index", "index0", "first", "last",
                                                                 "length"};

}  // namespace silverwork::transform
