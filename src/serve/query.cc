#include "serve/query.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <charconv>

namespace silverwork::serve {
namespace {

using Parsed = std::variant<ParsedQuery, BadParameter>;

// How a dimension filter's index lands in the filter.
using ApplyIndex = void (*)(ChartFilter&, uint16_t);

struct FilterSpec {
  std::string_view name;
  FilterBits bit;
  const Dimension ServingSnapshot::*dimension;  // null: a year
  ApplyIndex apply;
  std::string_view what;  // for messages
};

constexpr FilterSpec kFilters[] = {
    {"year_from", kFilterYears, nullptr, nullptr, "first year"},
    {"year_to", kFilterYears, nullptr, nullptr, "last year"},
    {"province", kFilterProvince, &ServingSnapshot::provinces,
     [](ChartFilter& filter, uint16_t index) { filter.provinces.Add(index); }, "province"},
    {"shape", kFilterShape, &ServingSnapshot::shapes,
     [](ChartFilter& filter, uint16_t index) { filter.shapes.Add(index); }, "employment shape"},
    {"job_class", kFilterJobClass, &ServingSnapshot::job_classes,
     [](ChartFilter& filter, uint16_t index) { filter.job_classes.Add(index); }, "job class"},
    {"preference", kFilterPreference, &ServingSnapshot::preferences,
     [](ChartFilter& filter, uint16_t index) { filter.preferences |= PreferenceMask{1} << index; },
     "preference category"},
    {"project_type", kFilterProjectType, &ServingSnapshot::type_groups,
     [](ChartFilter& filter, uint16_t index) { filter.type_groups.Add(index); }, "project type"},
};

constexpr int kMinYear = 1900;
constexpr int kMaxYear = 2100;

BadParameter Bad(std::string_view parameter, std::string message, std::string hint) {
  return {std::string(parameter), std::move(message), std::move(hint)};
}

std::optional<BadParameter> ApplyYear(const FilterSpec& spec, std::string_view value,
                                      ParsedQuery& query) {
  auto year = ParseWholeNumber(value);
  if (!year || *year < kMinYear || *year > kMaxYear) {
    return Bad(
        spec.name, fmt::format("{} is not a year", QuoteValue(value)),
        fmt::format("give a year between {} and {}, e.g. {}=2024", kMinYear, kMaxYear, spec.name));
  }
  (spec.name == "year_from" ? query.filter.year_from : query.filter.year_to) =
      static_cast<int>(*year);
  query.canonical[std::string(spec.name)] = std::to_string(*year);
  return std::nullopt;
}

std::optional<BadParameter> ApplyDimension(const FilterSpec& spec, std::string_view value,
                                           const ServingSnapshot& snapshot, ParsedQuery& query) {
  const Dimension& dimension = snapshot.*(spec.dimension);
  std::vector<std::string_view> codes;
  for (size_t start = 0;;) {
    size_t comma = value.find(',', start);
    codes.push_back(value.substr(start, comma == std::string_view::npos ? comma : comma - start));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  if (codes.size() > kMaxListValues) {
    return Bad(spec.name, fmt::format("{} values given; at most {}", codes.size(), kMaxListValues),
               "select fewer values");
  }
  std::vector<std::string_view> canonical;
  for (std::string_view code : codes) {
    auto index = dimension.Find(code);
    if (!index) {
      return Bad(
          spec.name, fmt::format("unknown {} {}", spec.what, QuoteValue(code)),
          fmt::format("use codes listed under \"{}\" in /api/v1/filters, separated by commas",
                      spec.name));
    }
    spec.apply(query.filter, *index);
    canonical.push_back(code);
  }
  std::sort(canonical.begin(), canonical.end());
  canonical.erase(std::unique(canonical.begin(), canonical.end()), canonical.end());
  query.canonical[std::string(spec.name)] = fmt::format("{}", fmt::join(canonical, ","));
  return std::nullopt;
}

std::optional<BadParameter> ApplyOption(const OptionSpec& spec, std::string_view value,
                                        ParsedQuery& query) {
  switch (spec.kind) {
    case OptionSpec::Kind::kChoice:
      if (std::find(spec.choices.begin(), spec.choices.end(), value) == spec.choices.end()) {
        return Bad(spec.name, fmt::format("{} is not a valid {}", QuoteValue(value), spec.name),
                   fmt::format("use one of: {}", fmt::join(spec.choices, ", ")));
      }
      query.text_options[std::string(spec.name)] = std::string(value);
      return std::nullopt;
    case OptionSpec::Kind::kInteger: {
      auto number = ParseWholeNumber(value);
      if (!number || *number < spec.min || *number > spec.max) {
        return Bad(spec.name,
                   fmt::format("{} is not a whole number from {} to {}", QuoteValue(value),
                               spec.min, spec.max),
                   fmt::format("give {} as digits only", spec.name));
      }
      query.integer_options[std::string(spec.name)] = *number;
      return std::nullopt;
    }
    case OptionSpec::Kind::kText:
      if (value.size() > spec.max_length) {
        return Bad(spec.name, fmt::format("longer than {} bytes", spec.max_length),
                   "shorten the text");
      }
      query.text_options[std::string(spec.name)] = std::string(value);
      return std::nullopt;
  }
  return std::nullopt;
}

void ApplyDefaults(std::span<const OptionSpec> options, ParsedQuery& query) {
  for (const OptionSpec& spec : options) {
    const std::string name(spec.name);
    switch (spec.kind) {
      case OptionSpec::Kind::kChoice:
        query.text_options.try_emplace(name, std::string(spec.choices.front()));
        break;
      case OptionSpec::Kind::kInteger:
        query.integer_options.try_emplace(name, spec.fallback);
        break;
      case OptionSpec::Kind::kText:
        query.text_options.try_emplace(name, std::string());
        break;
    }
  }
}

}  // namespace

std::optional<int64_t> ParseWholeNumber(std::string_view text) {
  if (text.empty() || text.size() > 18) return std::nullopt;
  if (!std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  int64_t value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

std::string QuoteValue(std::string_view value) {
  std::string quoted = "'";
  for (char c : value.substr(0, 64)) {
    if (static_cast<unsigned char>(c) < 0x20) {
      quoted += fmt::format("\\x{:02x}", static_cast<unsigned char>(c));
    } else {
      quoted += c;
    }
  }
  if (value.size() > 64) quoted += "...";
  return quoted + "'";
}

std::optional<BadParameter> CheckParameterValue(const QueryParams& params, const std::string& name,
                                                std::string_view value) {
  if (params.count(name) > 1) return Bad(name, "given more than once", "give each parameter once");
  if (value.size() > kMaxParameterLength) {
    return Bad(name, fmt::format("value longer than {} bytes", kMaxParameterLength),
               "shorten the value");
  }
  if (value.empty()) return Bad(name, "empty value", "leave the parameter out instead");
  return std::nullopt;
}

Parsed ParseQuery(const QueryParams& params, std::span<const OptionSpec> options,
                  const ServingSnapshot& snapshot) {
  ParsedQuery query;
  query.filter.year_from = snapshot.min_year > 0 ? snapshot.min_year : kMinYear;
  query.filter.year_to = snapshot.max_year > 0 ? snapshot.max_year : kMaxYear;
  for (auto entry = params.begin(); entry != params.end(); ++entry) {
    // Not a structured binding: the lambdas below capture `name`, which clang
    // before 16 refuses for bindings.
    const auto& name = entry->first;
    const auto& value = entry->second;
    if (auto bad = CheckParameterValue(params, name, value)) return *std::move(bad);
    const auto filter = std::find_if(std::begin(kFilters), std::end(kFilters),
                                     [&](const FilterSpec& spec) { return spec.name == name; });
    std::optional<BadParameter> bad;
    if (filter != std::end(kFilters)) {
      bad = filter->dimension == nullptr ? ApplyYear(*filter, value, query)
                                         : ApplyDimension(*filter, value, snapshot, query);
    } else {
      const auto option = std::find_if(options.begin(), options.end(),
                                       [&](const OptionSpec& spec) { return spec.name == name; });
      if (option == options.end()) {
        std::vector<std::string_view> known;
        for (const auto& spec : kFilters) known.push_back(spec.name);
        for (const auto& spec : options) known.push_back(spec.name);
        return Bad(name, fmt::format("unknown parameter {}", QuoteValue(name)),
                   fmt::format("this endpoint takes: {}", fmt::join(known, ", ")));
      }
      bad = ApplyOption(*option, value, query);
    }
    if (bad) return *std::move(bad);
  }
  if (query.filter.year_from > query.filter.year_to) {
    return Bad("year_from",
               fmt::format("year_from {} is after year_to {}", query.filter.year_from,
                           query.filter.year_to),
               "give year_from <= year_to");
  }
  ApplyDefaults(options, query);
  return query;
}

std::vector<std::string> IgnoredFilters(const ParsedQuery& query, uint8_t applied) {
  std::vector<std::string> ignored;
  for (const FilterSpec& spec : kFilters) {
    if (!(applied & spec.bit) && query.canonical.contains(std::string(spec.name))) {
      ignored.emplace_back(spec.name);
    }
  }
  return ignored;
}

}  // namespace silverwork::serve
