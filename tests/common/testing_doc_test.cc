// docs/testing.md names, promise by promise, the tests that back it: every
// `Suite.Name` (or `Suite.*`, `Suite.Prefix*`) it names must be a test in
// tests/, so a renamed or deleted test cannot leave a promise backed by a
// name only.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <utility>

namespace silverwork {
namespace {

namespace fs = std::filesystem;

std::string ReadText(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Every (suite, name) a TEST, TEST_F or TEST_P under tests/ defines.
std::set<std::pair<std::string, std::string>> DefinedTests(const fs::path& tests) {
  static const std::regex definition(R"(\b(?:TEST|TEST_F|TEST_P)\(\s*(\w+)\s*,\s*(\w+)\s*\))");
  std::set<std::pair<std::string, std::string>> defined;
  for (const auto& entry : fs::recursive_directory_iterator(tests)) {
    const std::string extension = entry.path().extension().string();
    if (!entry.is_regular_file() || (extension != ".cc" && extension != ".h")) continue;
    const std::string text = ReadText(entry.path());
    for (auto found = std::sregex_iterator(text.begin(), text.end(), definition);
         found != std::sregex_iterator(); ++found) {
      defined.emplace((*found)[1], (*found)[2]);
    }
  }
  return defined;
}

bool Defines(const std::set<std::pair<std::string, std::string>>& defined,
             const std::string& suite, const std::string& name) {
  if (!name.ends_with('*')) return defined.contains({suite, name});
  const std::string prefix = name.substr(0, name.size() - 1);
  for (auto test = defined.lower_bound({suite, prefix});
       test != defined.end() && test->first == suite && test->second.starts_with(prefix); ++test) {
    return true;
  }
  return false;
}

TEST(TestingDoc, NamesOnlyTestsThatExist) {
  const fs::path root = SILVERWORK_SOURCE_DIR;
  const auto defined = DefinedTests(root / "tests");
  ASSERT_GT(defined.size(), 500u) << "tests/ was not found under " << root;
  const std::string doc = ReadText(root / "docs/testing.md");
  static const std::regex named(R"(`([A-Z]\w*)\.(\w*\*?)`)");
  int checked = 0;
  for (auto found = std::sregex_iterator(doc.begin(), doc.end(), named);
       found != std::sregex_iterator(); ++found) {
    const std::string suite = (*found)[1], name = (*found)[2];
    // How GoogleTest and CTest name a test and a suite, as examples.
    if (suite == "Suite" && (name == "Name" || name == "*")) continue;
    ++checked;
    EXPECT_TRUE(Defines(defined, suite, name))
        << "docs/testing.md names `" << suite << "." << name
        << "`, which no TEST, TEST_F or TEST_P under tests/ defines: name the test that backs "
           "the promise now, or move the promise to \"Not yet backed\"";
  }
  EXPECT_GT(checked, 200) << "the table's test names were not found in docs/testing.md";
}

}  // namespace
}  // namespace silverwork
