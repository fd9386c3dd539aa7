#include "warehouse/sqlite/sqlite_functions.h"

#include <fmt/format.h>
#include <sqlite3.h>

#include <iterator>
#include <memory>
#include <regex>

namespace silverwork {
namespace {

// regexp(pattern, text): backs the `text REGEXP pattern` operator.
void RegexpFunction(sqlite3_context* context, int, sqlite3_value** args) {
  if (sqlite3_value_type(args[0]) == SQLITE_NULL || sqlite3_value_type(args[1]) == SQLITE_NULL) {
    sqlite3_result_null(context);
    return;
  }
  try {
    std::unique_ptr<std::regex> compiled;
    auto* regex = static_cast<const std::regex*>(sqlite3_get_auxdata(context, 0));
    if (regex == nullptr) {
      const char* pattern = reinterpret_cast<const char*>(sqlite3_value_text(args[0]));
      compiled = std::make_unique<std::regex>(
          pattern, static_cast<size_t>(sqlite3_value_bytes(args[0])), std::regex::ECMAScript);
      regex = compiled.get();
    }
    const char* text = reinterpret_cast<const char*>(sqlite3_value_text(args[1]));
    const bool matched = std::regex_search(text, text + sqlite3_value_bytes(args[1]), *regex);
    sqlite3_result_int(context, matched ? 1 : 0);
    // SQLite may free the auxdata at once, so hand it over only after use.
    if (compiled) {
      sqlite3_set_auxdata(context, 0, compiled.release(),
                          [](void* owned) { delete static_cast<std::regex*>(owned); });
    }
  } catch (const std::regex_error& error) {
    sqlite3_result_error(context, fmt::format("regexp: {}", error.what()).c_str(), -1);
  }
}

// sw_yyyymmdd_date(text): 'YYYY-MM-DD' when the text is eight digits naming
// a real day, else NULL. What date(iso, '+0 days') = iso says in SQL, at a
// twentieth of the cost: staging parses two dates per posting.
void YyyymmddDateFunction(sqlite3_context* context, int, sqlite3_value** args) {
  if (sqlite3_value_type(args[0]) == SQLITE_NULL) return sqlite3_result_null(context);
  const auto* text = sqlite3_value_text(args[0]);
  if (text == nullptr || sqlite3_value_bytes(args[0]) != 8) return sqlite3_result_null(context);
  int digits[8];
  for (int i = 0; i < 8; ++i) {
    if (text[i] < '0' || text[i] > '9') return sqlite3_result_null(context);
    digits[i] = text[i] - '0';
  }
  int year = digits[0] * 1000 + digits[1] * 100 + digits[2] * 10 + digits[3];
  int month = digits[4] * 10 + digits[5];
  int day = digits[6] * 10 + digits[7];
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  if (month < 1 || month > 12 || day < 1) return sqlite3_result_null(context);
  if (day > kDays[month - 1] + (month == 2 && leap ? 1 : 0)) return sqlite3_result_null(context);
  char iso[10] = {static_cast<char>(text[0]),
                  static_cast<char>(text[1]),
                  static_cast<char>(text[2]),
                  static_cast<char>(text[3]),
                  '-',
                  static_cast<char>(text[4]),
                  static_cast<char>(text[5]),
                  '-',
                  static_cast<char>(text[6]),
                  static_cast<char>(text[7])};
  sqlite3_result_text(context, iso, 10, SQLITE_TRANSIENT);
}

constexpr EngineFunction kFunctions[] = {
    {"regexp", 2, "regexp(pattern, text): backs `text REGEXP 'pattern'` (ECMAScript)"},
    {"sw_yyyymmdd_date", 1,
     "sw_yyyymmdd_date(text): 'YYYY-MM-DD' for eight digits naming a real day, else NULL"},
};
using Implementation = void (*)(sqlite3_context*, int, sqlite3_value**);
// In the order of kFunctions.
constexpr Implementation kImplementations[] = {&RegexpFunction, &YyyymmddDateFunction};
static_assert(std::size(kFunctions) == std::size(kImplementations));

}  // namespace

std::span<const EngineFunction> SqliteFunctions() { return kFunctions; }

Status RegisterSqliteFunctions(sqlite3* db) {
  for (size_t index = 0; index < std::size(kFunctions); ++index) {
    const EngineFunction& function = kFunctions[index];
    const std::string name(function.name);
    const int rc = sqlite3_create_function_v2(
        db, name.c_str(), function.arity, SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
        nullptr, kImplementations[index], nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK)
      return Status(ErrorCode::kDatabase,
                    fmt::format("cannot register SQL function {}: {}", name, sqlite3_errstr(rc)));
  }
  return Status::Ok();
}

}  // namespace silverwork
