// docs/transform.md lists exactly what the template language supports: the
// name tables of its "Templates: the supported subset" section are held to
// the code's own tables (filters, tests, methods, Jinja globals).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <sstream>
#include <string>

#include "transform/template/datetime_module.h"
#include "transform/template/filters.h"
#include "transform/template/methods.h"
#include "transform/template/natives.h"
#include "transform/template/predicates.h"
#include "transform_test_util.h"

namespace silverwork::transform {
namespace {

using Names = std::set<std::string>;

// The backticked names in the first column of the table under `heading`
// ("### Filters") of the template section of docs/transform.md.
Names DocumentedNames(const std::string& heading) {
  const std::string doc = testing::ReadFile(std::filesystem::path(SILVERWORK_SOURCE_DIR) / "docs" /
                                            "transform.md");
  const size_t section = doc.find("## Templates: the supported subset");
  EXPECT_NE(section, std::string::npos) << "the template section of docs/transform.md is gone";
  const size_t start = doc.find("\n" + heading + "\n", section);
  EXPECT_NE(start, std::string::npos) << heading << " is missing from docs/transform.md";
  Names names;
  if (start == std::string::npos) return names;
  std::istringstream lines(doc.substr(start + heading.size() + 2));
  std::string line;
  bool in_table = false;
  while (std::getline(lines, line)) {
    if (line.starts_with("#")) break;
    if (!line.starts_with("|")) {
      if (in_table) break;
      continue;
    }
    in_table = true;
    const std::string first_cell = line.substr(1, line.find(" |", 1) - 1);
    for (size_t open = first_cell.find('`'); open != std::string::npos;) {
      const size_t close = first_cell.find('`', open + 1);
      if (close == std::string::npos) break;
      names.insert(first_cell.substr(open + 1, close - open - 1));
      open = first_cell.find('`', close + 1);
    }
  }
  return names;
}

TEST(SupportedSubsetTest, FiltersTableIsTheFilterList) {
  Names code;
  for (const FilterDefinition& filter : Filters()) code.insert(std::string(filter.name));
  EXPECT_EQ(DocumentedNames("### Filters"), code);
}

TEST(SupportedSubsetTest, TestsTableIsThePredicateList) {
  Names code;
  for (const PredicateDefinition& test : Predicates()) code.insert(std::string(test.name));
  EXPECT_EQ(DocumentedNames("### Tests (`is`)"), code);
}

TEST(SupportedSubsetTest, MethodsTableIsTheMethodList) {
  Names code;
  for (const MethodDefinition& method : Methods())
    code.insert(std::string(method.type) + "." + std::string(method.name));
  EXPECT_EQ(DocumentedNames("### Methods"), code);
}

TEST(SupportedSubsetTest, GlobalsTableIsTheGlobalList) {
  Names code;
  for (std::string_view name : JinjaGlobalNames()) code.insert(std::string(name));
  EXPECT_EQ(DocumentedNames("### Jinja globals"), code);
}

TEST(SupportedSubsetTest, DatetimeTableIsTheModulesNames) {
  Names code;
  for (std::string_view name : DatetimeModuleNames()) code.insert(std::string(name));
  EXPECT_EQ(DocumentedNames("### modules.datetime"), code);
}

}  // namespace
}  // namespace silverwork::transform
