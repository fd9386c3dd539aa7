// Adapter macros: the engine-neutral names models call for ideas every
// engine spells its own way, e.g. {{ dbt_date_trunc_month('col') }}. This
// is the vocabulary, with the arguments each takes; every engine spells
// every macro in its EngineTraits (engine_traits.h), and a test holds each
// registered engine to the whole list.
//
// Arguments are SQL fragments given as strings, e.g. string_agg('name', "', '").
// Immutable table; thread-safe.
#pragma once

#include <span>
#include <string_view>

namespace silverwork {

struct AdapterMacroSignature {
  std::string_view name;
  int min_args;
  int max_args;
  std::string_view summary;  // for docs and error hints
};

// Every adapter macro, in documentation order.
std::span<const AdapterMacroSignature> AdapterMacroSignatures();
// The signature of `name`, or null when `name` is not an adapter macro.
const AdapterMacroSignature* FindAdapterMacro(std::string_view name);

}  // namespace silverwork
