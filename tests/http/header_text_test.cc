// The message-head helpers the HTTP client and the simulator's server share.
#include "http/header_text.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace silverwork::http_text {
namespace {

using Fields = std::vector<std::string>;

// "name=value" for each field the walk took, and whether it took them all.
std::pair<bool, Fields> Walk(std::string_view head, bool skip_malformed) {
  Fields fields;
  bool taken =
      ForEachHeaderField(head, skip_malformed, [&](std::string_view name, std::string_view value) {
        fields.push_back(std::string(name) + "=" + std::string(value));
        return name != "Stop";
      });
  return {taken, fields};
}

TEST(HeaderTextTest, FieldsAreSplitOnTheFirstColonWithValuesTrimmed) {
  auto [taken, fields] =
      Walk("Host: 127.0.0.1:8080\r\nX-Empty:\r\nContent-Type: \t text/xml ; x=1 \r\n", false);
  EXPECT_TRUE(taken);
  EXPECT_EQ(fields, (Fields{"Host=127.0.0.1:8080", "X-Empty=", "Content-Type=text/xml ; x=1"}));
}

TEST(HeaderTextTest, AMalformedLineIsSkippedOrEndsTheWalk) {
  const std::string head = "A: 1\r\nno colon here\r\nB: 2";
  EXPECT_EQ(Walk(head, true), (std::pair<bool, Fields>{true, {"A=1", "B=2"}}));
  EXPECT_EQ(Walk(head, false), (std::pair<bool, Fields>{false, {"A=1"}}));
  // The callback can refuse a field, which ends the walk too.
  EXPECT_EQ(Walk("Stop: now\r\nC: 3", true), (std::pair<bool, Fields>{false, {"Stop=now"}}));
  EXPECT_EQ(Walk("", false), (std::pair<bool, Fields>{true, {}}));
}

TEST(HeaderTextTest, ContentLengthIsDigitsWithinBounds) {
  EXPECT_EQ(ParseContentLength("0"), size_t{0});
  EXPECT_EQ(ParseContentLength("1048576"), size_t{1048576});
  EXPECT_EQ(ParseContentLength(""), std::nullopt);
  EXPECT_EQ(ParseContentLength("-1"), std::nullopt);
  EXPECT_EQ(ParseContentLength("12 34"), std::nullopt);
  EXPECT_EQ(ParseContentLength("0x10"), std::nullopt);
  EXPECT_EQ(ParseContentLength("99999999999999999999999"), std::nullopt);
}

TEST(HeaderTextTest, NamesCompareWithoutCase) {
  EXPECT_TRUE(EqualsIgnoreCase("content-length", "Content-Length"));
  EXPECT_FALSE(EqualsIgnoreCase("Content-Length", "Content-Lengths"));
  EXPECT_EQ(Trim(" \t x y \t"), "x y");
}

}  // namespace
}  // namespace silverwork::http_text
