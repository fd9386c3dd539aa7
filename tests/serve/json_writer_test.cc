// JsonWriter: commas and nesting as nlohmann::json reads them back, strings
// escaped, numbers as short as they read back the same, no NaN.
#include "serve/json_writer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

namespace silverwork::serve {
namespace {

TEST(JsonWriter, NestsObjectsAndArraysWithTheirCommas) {
  JsonWriter out;
  out.BeginObject().Key("runs").BeginArray();
  out.BeginObject().StringField("id", "a").IntField("n", -3).EndObject();
  out.BeginObject().EndObject();
  out.Null();
  out.EndArray();
  out.Key("empty").BeginArray().EndArray();
  out.BoolField("ok", true);
  out.Key("ratio").Double(0.1);
  out.Key("text").TextOrNull("");
  out.EndObject();
  const std::string text = out.Take();
  EXPECT_EQ(text,
            R"({"runs":[{"id":"a","n":-3},{},null],"empty":[],"ok":true,"ratio":0.1,"text":null})");
  EXPECT_EQ(nlohmann::json::parse(text)["runs"][0]["n"], -3);
  EXPECT_EQ(out.Take(), "") << "Take leaves the writer empty";
}

TEST(JsonWriter, EscapesStringsAsJsonRequires) {
  JsonWriter out;
  const std::string nasty =
      std::string("quote \" backslash \\ newline \n tab \t bell ") + '\x07' + " 한글";
  out.BeginArray().String(nasty).EndArray();
  const std::string text = out.Take();
  EXPECT_EQ(text, "[\"quote \\\" backslash \\\\ newline \\n tab \\u0009 bell \\u0007 한글\"]");
  EXPECT_EQ(nlohmann::json::parse(text)[0], nasty);
}

TEST(JsonWriter, WritesNoNaNOrInfinity) {
  JsonWriter out;
  out.BeginArray().Double(std::nan("")).Double(INFINITY).Double(1234.5).EndArray();
  EXPECT_EQ(out.Take(), "[null,null,1234.5]");
}

}  // namespace
}  // namespace silverwork::serve
