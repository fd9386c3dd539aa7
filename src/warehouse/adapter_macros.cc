#include "warehouse/adapter_macros.h"

#include <array>

namespace silverwork {
namespace {

constexpr std::array<AdapterMacroSignature, 11> kMacros{{
    {"dbt_date_trunc_month", 1, 1, "first day of the month of a date, as 'YYYY-MM-DD' text"},
    {"string_agg", 2, 2, "concatenates an expression over a group with a separator"},
    {"parse_date_yyyymmdd", 1, 1, "YYYYMMDD text to 'YYYY-MM-DD'; NULL unless it names a real day"},
    {"current_timestamp", 0, 0, "the engine's current UTC timestamp"},
    {"datediff_days", 2, 2, "whole days from the first date to the second"},
    {"dateadd_days", 2, 2, "a date plus a number of days, as 'YYYY-MM-DD' text"},
    {"datesub_days", 2, 2, "a date minus a number of days, as 'YYYY-MM-DD' text"},
    {"is_integer_text", 1, 1, "true when text is a non-negative whole number (digits only)"},
    {"is_number_text", 1, 1, "true when text is a non-negative decimal number such as 2008.0"},
    {"first_word", 1, 1, "text up to its first space (all of it when there is none)"},
    {"contains_text", 2, 2, "true when the first text contains the second (plain, case-sensitive)"},
}};

}  // namespace

std::span<const AdapterMacroSignature> AdapterMacroSignatures() { return kMacros; }

const AdapterMacroSignature* FindAdapterMacro(std::string_view name) {
  for (const auto& macro : kMacros)
    if (macro.name == name) return &macro;
  return nullptr;
}

}  // namespace silverwork
