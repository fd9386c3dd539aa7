// The functions whose calls the parser checks (the others, macros and the
// dbt context's functions, are checked when called): ref, source, config,
// var, is_incremental, env_var and return, with the arguments each takes.
// ref() and source() take string literals, so a node's dependencies are
// known without rendering it. Immutable tables; thread-safe.
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

// The signature of `name`, or null when the parser does not check its calls.
const FunctionSignature* FindFunction(std::string_view name);

}  // namespace silverwork::transform
