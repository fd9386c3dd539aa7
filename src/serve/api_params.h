// ParamReader: the parameters of the pipelines endpoints — a query string
// or a write request's JSON body — checked against the names an endpoint
// takes and read as whole numbers, days or choices. The first problem found
// is kept as a BadParameter naming the parameter (the server answers 400
// with it); every getter then answers nullopt.
//
//   ParamReader params(req.params, {"state", "limit", "offset"});
//   auto limit = params.Integer("limit", 1, 200);
//   if (params.bad()) return SendBadParameter(res, *params.bad());
//
// One reader per request; not thread-safe.
#pragma once

#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/date.h"
#include "serve/query.h"

namespace silverwork::serve {

class ParamReader {
 public:
  // Refuses names not in `allowed`, repeated names, empty values and values
  // over kMaxParameterLength bytes.
  ParamReader(QueryParams params, std::initializer_list<std::string_view> allowed);

  const std::optional<BadParameter>& bad() const { return bad_; }
  bool Has(std::string_view name) const { return Find(name) != nullptr; }

  // The value as given (free text, such as a search).
  std::optional<std::string> Text(std::string_view name) const;
  // A whole number in [min, max].
  std::optional<int64_t> Integer(std::string_view name, int64_t min, int64_t max);
  // A day written YYYY-MM-DD.
  std::optional<Date> Day(std::string_view name);
  // One of `choices`.
  std::optional<std::string> Choice(std::string_view name,
                                    std::span<const std::string_view> choices);
  // Records a problem found by the caller (the first one wins).
  void Refuse(std::string_view name, std::string message, std::string hint);

 private:
  const std::string* Find(std::string_view name) const;

  QueryParams params_;
  std::optional<BadParameter> bad_;
};

// A write request's body as parameters: empty, or a JSON object of string
// values (at most kMaxParameterLength bytes each). A body that is not such an
// object is a BadParameter named "body".
std::variant<QueryParams, BadParameter> BodyParameters(std::string_view body);

}  // namespace silverwork::serve
