// The API's query parameters: the dashboard's filters, which every chart
// endpoint takes, and each endpoint's own options. Every parameter is
// whitelisted by a table of specs; values of a dimension must be codes the
// loaded snapshot knows. Anything else is a BadParameter naming the
// parameter, which the server turns into a 400.
//
// Pure functions over immutable inputs; thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "serve/snapshot.h"

namespace silverwork::serve {

// The dashboard filters, as bits: which of them a chart applies.
enum FilterBits : uint8_t {
  kFilterYears = 1,
  kFilterProvince = 2,
  kFilterShape = 4,
  kFilterJobClass = 8,
  kFilterPreference = 16,
  kFilterProjectType = 32,
  kPostingFilters =
      kFilterYears | kFilterProvince | kFilterShape | kFilterJobClass | kFilterPreference,
  kProjectFilters = kFilterYears | kFilterProvince | kFilterProjectType,
  kAllFilters = kPostingFilters | kProjectFilters,
};

// A set of dimension indexes; empty means "no filter".
class IndexSet {
 public:
  bool all() const { return members_.empty(); }
  bool Contains(size_t index) const {
    return members_.empty() || (index < members_.size() && members_[index] != 0);
  }
  void Add(size_t index) {
    if (members_.size() <= index) members_.resize(index + 1, 0);
    members_[index] = 1;
  }

 private:
  std::vector<uint8_t> members_;
};

struct ChartFilter {
  int year_from = 0;  // inclusive
  int year_to = 0;    // inclusive
  IndexSet provinces;
  IndexSet shapes;
  IndexSet job_classes;
  PreferenceMask preferences = 0;  // any of these; 0 = no filter
  IndexSet type_groups;

  bool HasYear(int year) const { return year >= year_from && year <= year_to; }
};

// An endpoint's own parameter.
struct OptionSpec {
  enum class Kind { kChoice, kInteger, kText };
  std::string_view name;
  Kind kind;
  std::span<const std::string_view> choices;  // kChoice: allowed values, first = default
  int64_t min = 0, max = 0, fallback = 0;     // kInteger
  size_t max_length = 0;                      // kText
};

struct ParsedQuery {
  ChartFilter filter;
  std::map<std::string, std::string, std::less<>> text_options;
  std::map<std::string, int64_t, std::less<>> integer_options;
  // The filters as applied, in canonical form (echoed in responses).
  std::map<std::string, std::string> canonical;
  // When the request is answered, by the server's clock (set by the server,
  // not a parameter): what ages in a response are measured against.
  std::chrono::system_clock::time_point now{};

  const std::string& Text(std::string_view name) const { return text_options.find(name)->second; }
  int64_t Integer(std::string_view name) const { return integer_options.find(name)->second; }
};

struct BadParameter {
  std::string parameter;
  std::string message;
  std::string hint;
};

using QueryParams = std::multimap<std::string, std::string>;

// Longest value accepted for any parameter, and most values in one list.
inline constexpr size_t kMaxParameterLength = 256;
inline constexpr size_t kMaxListValues = 32;

// Digits only (at most 18), else nullopt.
std::optional<int64_t> ParseWholeNumber(std::string_view text);
// A user's value quoted for a message: at most 64 bytes, control characters escaped.
std::string QuoteValue(std::string_view value);
// What every parameter must be: given once, not empty, at most
// kMaxParameterLength bytes.
std::optional<BadParameter> CheckParameterValue(const QueryParams& params, const std::string& name,
                                                std::string_view value);

// Validates `params` against the dashboard filters and `options`.
std::variant<ParsedQuery, BadParameter> ParseQuery(const QueryParams& params,
                                                   std::span<const OptionSpec> options,
                                                   const ServingSnapshot& snapshot);

// Names of the dashboard filters present in `query` that `applied` (FilterBits) does not cover.
std::vector<std::string> IgnoredFilters(const ParsedQuery& query, uint8_t applied);

}  // namespace silverwork::serve
