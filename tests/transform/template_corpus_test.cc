// Runs the template corpus, tests/transform/fixtures/template_corpus/*.test
// (the format is in that folder's README.md): every case renders to its
// expected text, or fails with its expected message.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "transform/fake_template_environment.h"
#include "transform/template/template.h"
#include "transform/transform_test_util.h"

namespace silverwork::transform {
namespace {

namespace fs = std::filesystem;

struct CorpusCase {
  std::string file;
  int line = 0;
  bool expects_error = false;
  std::string name;
  std::string source;
  std::string expected;
};

std::string JoinLines(const std::vector<std::string>& lines) {
  std::string text;
  for (size_t i = 0; i < lines.size(); ++i) {
    text += (i ? "\n" : "") + (lines[i] == "<<NL>>" ? std::string() : lines[i]);
  }
  return text;
}

// The cases of one file; a malformed file fails the test that reads it.
std::vector<CorpusCase> ReadCorpusFile(const fs::path& path) {
  std::ifstream in(path);
  std::vector<CorpusCase> cases;
  std::string line;
  int number = 0;
  enum class Part { kOutside, kSource, kExpected } part = Part::kOutside;
  std::vector<std::string> lines;
  while (std::getline(in, line)) {
    ++number;
    if (part == Part::kOutside) {
      if (line.empty() || line.starts_with("#")) continue;
      const bool render = line.starts_with("render ");
      const bool error = line.starts_with("error ");
      EXPECT_TRUE(render || error) << path << ":" << number << ": expected 'render' or 'error'";
      if (!render && !error) return cases;
      cases.push_back({path.filename().string(), number, error,
                       line.substr(line.find(' ') + 1), {}, {}});
      part = Part::kSource;
    } else if (part == Part::kSource && line == "----") {
      cases.back().source = JoinLines(lines);
      lines.clear();
      part = Part::kExpected;
    } else if (part == Part::kExpected && line == "====") {
      cases.back().expected = JoinLines(lines);
      lines.clear();
      part = Part::kOutside;
    } else {
      lines.push_back(line);
    }
  }
  EXPECT_EQ(part, Part::kOutside) << path << ": the last case is not closed with ====";
  return cases;
}

// What the case's template renders to, or its error message.
std::pair<bool, std::string> RunCase(const CorpusCase& corpus_case) {
  FakeEnvironment environment;
  auto parsed = Template::Parse("models/x.sql", corpus_case.source);
  if (!parsed.ok()) return {false, parsed.status().message()};
  auto rendered = parsed->Render(environment);
  if (!rendered.ok()) return {false, rendered.status().message()};
  return {true, *rendered};
}

TEST(TemplateCorpusTest, EveryCaseRendersAsExpected) {
  const fs::path folder = testing::FixturePath("template_corpus");
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(folder))
    if (entry.path().extension() == ".test") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  ASSERT_GE(files.size(), 5u) << "the corpus in " << folder << " is missing";
  int cases_run = 0;
  for (const fs::path& file : files) {
    for (const CorpusCase& corpus_case : ReadCorpusFile(file)) {
      SCOPED_TRACE(corpus_case.file + ":" + std::to_string(corpus_case.line) + " " +
                   corpus_case.name);
      auto [ok, output] = RunCase(corpus_case);
      EXPECT_EQ(ok, !corpus_case.expects_error) << output;
      EXPECT_EQ(output, corpus_case.expected);
      ++cases_run;
    }
  }
  EXPECT_GE(cases_run, 40);
}

}  // namespace
}  // namespace silverwork::transform
