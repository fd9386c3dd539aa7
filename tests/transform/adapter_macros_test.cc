// The adapter macros (macros/adapters.sql, compiled in as the built-in
// package silverwork_builtins): every macro has a spelling for every
// registered engine, every spelling runs on its engine's own connection
// (PostgreSQL on the shared test server; SQLite also read-only, with the
// functions it calls) and gives the same value for the same text on every
// engine, and a project without macros of its own still has them.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "transform/compile/dbt_context.h"
#include "transform/project/builtin_macros.h"
#include "transform/template/template.h"
#include "warehouse/warehouse.h"
#include "warehouse_under_test.h"

namespace silverwork::transform {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;

// Answers every name as dbt's context does for `engine`, with the built-in
// macros only.
class BuiltinMacroEnvironment final : public TemplateEnvironment {
 public:
  explicit BuiltinMacroEnvironment(const std::string& engine)
      : registry_("project", std::string(kBuiltinMacroPackage)),
        context_(DbtContextValues{.target_type = engine}, &registry_) {
    loaded_ = AddBuiltinMacros(registry_);
  }
  Result<std::optional<TemplateValue>> LookUp(std::string_view name,
                                              std::string_view package) override {
    return context_.LookUp(name, package);
  }
  const Status& loaded() const { return loaded_; }
  const MacroRegistry& registry() const { return registry_; }

 private:
  MacroRegistry registry_;
  Status loaded_;
  DbtContext context_;
};

// `call` (e.g. "string_agg('x', ', ')") rendered for `engine`.
Result<std::string> Expand(const std::string& engine, const std::string& call) {
  BuiltinMacroEnvironment environment(engine);
  SW_RETURN_IF_ERROR(environment.loaded());
  SW_ASSIGN_OR_RETURN(Template parsed, Template::Parse("models/x.sql", "{{ " + call + " }}"));
  return parsed.Render(environment);
}

// The macros models call: those of the package that are not one engine's
// (or the default) spelling of another.
std::vector<const MacroDefinition*> AdapterMacros(const MacroRegistry& registry) {
  std::vector<const MacroDefinition*> macros;
  for (const MacroDefinition* macro : registry.All())
    if (macro->package == kBuiltinMacroPackage && macro->name.find("__") == std::string::npos)
      macros.push_back(macro);
  return macros;
}

// A call of `macro` with one SQL fragment per parameter, from `samples`.
std::string CallWith(const MacroDefinition& macro, const std::vector<std::string>& samples) {
  std::string call = macro.name + "(";
  for (size_t i = 0; i < macro.node->parameters.size(); ++i)
    call += (i ? ", " : "") + std::string("\"") + samples.at(i) + "\"";
  return call + ")";
}

TEST(AdapterMacrosTest, EveryRegisteredEngineSpellsEveryMacroWithItsArguments) {
  BuiltinMacroEnvironment environment("sqlite");
  ASSERT_TRUE(environment.loaded().ok()) << environment.loaded().ToString();
  const std::vector<const MacroDefinition*> macros = AdapterMacros(environment.registry());
  ASSERT_GE(macros.size(), 11u);
  const std::vector<std::string> samples = {"first_argument", "second_argument"};
  for (const std::string& engine : WarehouseRegistry::Default().Engines()) {
    for (const MacroDefinition* macro : macros) {
      auto expanded = Expand(engine, CallWith(*macro, samples));
      ASSERT_TRUE(expanded.ok()) << engine << " " << macro->name << ": "
                                 << expanded.status().ToString();
      EXPECT_FALSE(expanded->empty()) << engine << " " << macro->name;
      for (size_t i = 0; i < macro->node->parameters.size(); ++i)
        EXPECT_THAT(*expanded, HasSubstr(samples[i])) << engine << " " << macro->name;
    }
  }
}

TEST(AdapterMacrosTest, AnEngineWithoutASpellingIsAnErrorNamingIt) {
  auto expanded = Expand("bare", "first_word('x')");
  ASSERT_FALSE(expanded.ok());
  EXPECT_THAT(expanded.status().message(),
              HasSubstr("adapter.dispatch('first_word') found neither bare__first_word nor "
                        "default__first_word"));
}

TEST(AdapterMacrosTest, AMissingArgumentIsAnErrorNamingIt) {
  auto expanded = Expand("sqlite", "string_agg('x')");
  ASSERT_FALSE(expanded.ok());
  EXPECT_THAT(expanded.status().message(),
              HasSubstr("macro 'string_agg' was called without 'separator_sql'"));
}

// A text value as models meet it: typed TEXT, as in a raw table's column.
std::string Text(const std::string& value) { return "CAST('" + value + "' AS TEXT)"; }
const std::string kNullText = "CAST(NULL AS TEXT)";

struct MacroCase {
  std::string macro;
  std::vector<std::string> args;  // SQL fragments
  std::string expected;           // rendered; "NULL" for NULL
  std::string from;               // a FROM clause, for aggregates
};

// Values each engine must agree on, in the shapes the models pass: dates as
// 'YYYY-MM-DD' text or ISO timestamps, numbers of days as literals.
const std::vector<MacroCase>& MacroCases() {
  static const std::vector<MacroCase> cases = {
      {"dbt_date_trunc_month", {Text("2024-03-17")}, "2024-03-01"},
      {"dbt_date_trunc_month", {Text("2024-12-31T23:59:59.999Z")}, "2024-12-01"},
      {"string_agg",
       {"word", "'-'"},
       "a-a",
       "FROM (SELECT CAST('a' AS TEXT) AS word UNION ALL SELECT CAST('a' AS TEXT)) AS words"},
      {"parse_date_yyyymmdd", {Text("20240229")}, "2024-02-29"},
      {"parse_date_yyyymmdd", {Text("20000229")}, "2000-02-29"},
      {"parse_date_yyyymmdd", {Text("20241231")}, "2024-12-31"},
      {"parse_date_yyyymmdd", {Text("20230229")}, "NULL"},
      {"parse_date_yyyymmdd", {Text("19000229")}, "NULL"},
      {"parse_date_yyyymmdd", {Text("20240431")}, "NULL"},
      {"parse_date_yyyymmdd", {Text("20231301")}, "NULL"},
      {"parse_date_yyyymmdd", {Text("20240100")}, "NULL"},
      {"parse_date_yyyymmdd", {Text("2024022")}, "NULL"},
      {"parse_date_yyyymmdd", {Text("2024-02-2")}, "NULL"},
      {"parse_date_yyyymmdd", {Text("")}, "NULL"},
      {"parse_date_yyyymmdd", {kNullText}, "NULL"},
      {"datediff_days", {Text("2024-03-17"), Text("2024-04-02")}, "16"},
      {"datediff_days", {Text("2024-04-02"), Text("2024-03-17")}, "-16"},
      {"dateadd_days", {Text("2024-02-27"), "3"}, "2024-03-01"},
      {"datesub_days", {Text("2024-03-01"), "1"}, "2024-02-29"},
      // As the incremental models call it: max(loaded_at) minus a lookback.
      {"datesub_days", {Text("2024-03-17T10:20:30.123Z"), "3"}, "2024-03-14"},
      {"is_integer_text", {Text(" 42 ")}, "1"},
      {"is_integer_text", {Text("4 2")}, "0"},
      {"is_integer_text", {Text("-1")}, "0"},
      {"is_integer_text", {Text("2008.0")}, "0"},
      {"is_integer_text", {Text("")}, "0"},
      {"is_integer_text", {kNullText}, "NULL"},
      {"is_number_text", {Text("2008.0")}, "1"},
      {"is_number_text", {Text(" 2008 ")}, "1"},
      {"is_number_text", {Text(".5")}, "1"},
      {"is_number_text", {Text("5.")}, "1"},
      {"is_number_text", {Text("1.2.3")}, "0"},
      {"is_number_text", {Text(".")}, "0"},
      {"is_number_text", {Text("-1")}, "0"},
      {"is_number_text", {Text("1e3")}, "0"},
      {"is_number_text", {Text("")}, "0"},
      {"first_word", {Text("서울 종로구 세종대로")}, "서울"},
      {"first_word", {Text("alpha")}, "alpha"},
      {"first_word", {Text(" lead")}, ""},
      {"first_word", {Text("")}, ""},
      {"contains_text", {Text("alpha"), Text("ph")}, "1"},
      {"contains_text", {Text("alpha"), Text("PH")}, "0"},
      {"contains_text", {Text("alpha"), Text("")}, "1"},
      {"contains_text", {Text("alpha"), kNullText}, "NULL"},
  };
  return cases;
}

// A call of `macro` with the given SQL fragments, as a model writes it.
std::string Call(const std::string& macro, const std::vector<std::string>& args) {
  std::string call = macro + "(";
  for (size_t i = 0; i < args.size(); ++i) call += (i ? ", " : "") + std::string("\"") + args[i] + "\"";
  return call + ")";
}

class AdapterMacrosOnEngineTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    warehouse_ = place_.Open();
    ASSERT_NE(warehouse_, nullptr);
  }

  // `macro(args)` as this engine spells it.
  std::string Spelled(const std::string& macro, const std::vector<std::string>& args) {
    auto expanded = Expand(GetParam(), Call(macro, args));
    EXPECT_TRUE(expanded.ok()) << macro << ": " << expanded.status().ToString();
    return expanded.ok() ? *expanded : "NULL";
  }

  std::string Scalar(const std::string& sql) { return ScalarText(*warehouse_, sql); }

  WarehouseUnderTest place_{GetParam()};
  std::unique_ptr<Warehouse> warehouse_;
};

INSTANTIATE_TEST_SUITE_P(Engines, AdapterMacrosOnEngineTest,
                         ::testing::ValuesIn(EnginesUnderTest()), EngineTestName);

TEST_P(AdapterMacrosOnEngineTest, EveryMacroGivesTheSameValueOnEveryEngine) {
  std::set<std::string> covered;
  for (const MacroCase& test : MacroCases()) {
    const std::string spelled = Spelled(test.macro, test.args);
    EXPECT_EQ(Scalar("SELECT " + spelled + " " + test.from), test.expected)
        << test.macro << "(" << ::testing::PrintToString(test.args) << ") is " << spelled;
    covered.insert(test.macro);
  }
  BuiltinMacroEnvironment environment(GetParam());
  for (const MacroDefinition* macro : AdapterMacros(environment.registry())) {
    if (macro->name == "current_timestamp") continue;  // a moving value: below
    EXPECT_TRUE(covered.contains(macro->name)) << "add cases for " << macro->name << " to MacroCases()";
  }
}

// Models compare what a date macro gives with TEXT columns, e.g.
// `loaded_at >= datesub_days('max(loaded_at)', 3)`: the dates are text.
TEST_P(AdapterMacrosOnEngineTest, DatesFromMacrosCompareWithTextColumns) {
  const std::vector<std::pair<std::string, std::vector<std::string>>> dates = {
      {"dbt_date_trunc_month", {Text("2024-03-17")}},
      {"parse_date_yyyymmdd", {Text("20240301")}},
      {"dateadd_days", {Text("2024-02-28"), "2"}},
      {"datesub_days", {Text("2024-03-04T10:20:30.123Z"), "3"}},
  };
  ASSERT_TRUE(warehouse_->Execute("CREATE TABLE loads (loaded_at TEXT)").ok());
  const Value stamp[] = {std::string("2024-03-01T00:00:00.000Z")};
  ASSERT_TRUE(warehouse_->ExecuteWithParams("INSERT INTO loads VALUES (?)", stamp).ok());
  for (const auto& [macro, args] : dates) {
    const std::string spelled = Spelled(macro, args);
    EXPECT_EQ(Scalar("SELECT count(*) FROM loads WHERE loaded_at >= " + spelled), "1") << macro;
    EXPECT_EQ(Scalar("SELECT count(*) FROM loads WHERE substr(loaded_at, 1, 10) = " + spelled), "1")
        << macro;
  }
}

TEST_P(AdapterMacrosOnEngineTest, TheCurrentTimestampIsIsoTextInUtcWithMilliseconds) {
  EXPECT_THAT(Scalar("SELECT " + Spelled("current_timestamp", {})),
              MatchesRegex("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z"));
  // The same shape as the Dialect's, which the warehouse's own statements use.
  EXPECT_THAT(Scalar("SELECT " + warehouse_->dialect().CurrentTimestamp()),
              MatchesRegex("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z"));
}

// Whatever a spelling calls (sw_yyyymmdd_date on SQLite, say) every
// connection has, a read-only one too.
TEST_P(AdapterMacrosOnEngineTest, EverySpellingRunsOnAReadOnlyConnection) {
  auto reader = place_.Open(/*read_only=*/true);
  ASSERT_NE(reader, nullptr);
  for (const MacroCase& test : MacroCases()) {
    const std::string spelled = Spelled(test.macro, test.args);
    EXPECT_EQ(ScalarText(*reader, "SELECT " + spelled + " " + test.from), test.expected)
        << test.macro << " on a read-only connection: " << spelled;
  }
  auto ran = reader->QueryAll("SELECT " + Spelled("current_timestamp", {}));
  EXPECT_TRUE(ran.ok()) << ran.status().ToString();
}

}  // namespace
}  // namespace silverwork::transform
