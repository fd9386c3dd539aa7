#include "serve/api_params.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <utility>

namespace silverwork::serve {

ParamReader::ParamReader(QueryParams params, std::initializer_list<std::string_view> allowed)
    : params_(std::move(params)) {
  for (const auto& [name, value] : params_) {
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      Refuse(name, fmt::format("unknown parameter {}", QuoteValue(name)),
             allowed.size() == 0
                 ? "this endpoint takes no parameters"
                 : fmt::format("this endpoint takes: {}", fmt::join(allowed, ", ")));
      return;
    }
    if (auto problem = CheckParameterValue(params_, name, value)) {
      bad_ = std::move(problem);
      return;
    }
  }
}

const std::string* ParamReader::Find(std::string_view name) const {
  if (bad_) return nullptr;
  const auto found = params_.find(std::string(name));
  return found == params_.end() ? nullptr : &found->second;
}

void ParamReader::Refuse(std::string_view name, std::string message, std::string hint) {
  if (!bad_) bad_ = BadParameter{std::string(name), std::move(message), std::move(hint)};
}

std::optional<std::string> ParamReader::Text(std::string_view name) const {
  const std::string* value = Find(name);
  return value == nullptr ? std::nullopt : std::optional<std::string>(*value);
}

std::optional<int64_t> ParamReader::Integer(std::string_view name, int64_t min, int64_t max) {
  const std::string* value = Find(name);
  if (value == nullptr) return std::nullopt;
  const auto number = ParseWholeNumber(*value);
  if (!number || *number < min || *number > max) {
    Refuse(name,
           fmt::format("{} is not a whole number from {} to {}", QuoteValue(*value), min, max),
           fmt::format("give {} as digits only", name));
    return std::nullopt;
  }
  return number;
}

std::optional<Date> ParamReader::Day(std::string_view name) {
  const std::string* value = Find(name);
  if (value == nullptr) return std::nullopt;
  auto day = Date::Parse(*value);
  if (!day.ok() || value->size() != 10) {
    Refuse(name, fmt::format("{} is not a day", QuoteValue(*value)),
           fmt::format("write the day as YYYY-MM-DD, e.g. {}=2025-03-30", name));
    return std::nullopt;
  }
  return *day;
}

std::optional<std::string> ParamReader::Choice(std::string_view name,
                                               std::span<const std::string_view> choices) {
  const std::string* value = Find(name);
  if (value == nullptr) return std::nullopt;
  if (std::find(choices.begin(), choices.end(), *value) == choices.end()) {
    Refuse(name, fmt::format("{} is not a valid {}", QuoteValue(*value), name),
           fmt::format("use one of: {}", fmt::join(choices, ", ")));
    return std::nullopt;
  }
  return *value;
}

std::variant<QueryParams, BadParameter> BodyParameters(std::string_view body) {
  QueryParams params;
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) return params;
  const auto parsed = nlohmann::json::parse(body, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    return BadParameter{"body", "the request body is not a JSON object",
                        R"(send {"name": "value", ...} with Content-Type: application/json)"};
  }
  for (const auto& [name, value] : parsed.items()) {
    if (!value.is_string()) {
      return BadParameter{name, fmt::format("{} must be a string", QuoteValue(name)),
                          R"(write every value in quotes, e.g. {"date": "2025-03-30"})"};
    }
    params.emplace(name, value.get<std::string>());
  }
  return params;
}

}  // namespace silverwork::serve
