// JsonWriter: JSON text written straight into a string, for the few answers
// too large to build as a nlohmann::json tree first (the pipelines grid: a
// thousand runs by every task). Commas and nesting are tracked; strings are
// escaped as JSON requires (quote, backslash, control characters; bytes of
// other characters are copied as they are, so callers write valid UTF-8).
//
//   JsonWriter out;
//   out.BeginObject().StringField("pipeline", name).Key("runs").BeginArray();
//   for (...) out.String(run_id);
//   out.EndArray().EndObject();
//   std::string text = out.Take();
//
// One writer per answer; not thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace silverwork::serve {

class JsonWriter {
 public:
  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  // REQUIRES: inside an object; the value comes next.
  JsonWriter& Key(std::string_view key);
  JsonWriter& String(std::string_view text);
  JsonWriter& Int(int64_t number);
  JsonWriter& Double(double number);  // shortest text that reads back the same
  JsonWriter& Bool(bool value);
  JsonWriter& Null();
  // A key and its value.
  JsonWriter& StringField(std::string_view key, std::string_view text) {
    return Key(key).String(text);
  }
  JsonWriter& IntField(std::string_view key, int64_t number) { return Key(key).Int(number); }
  JsonWriter& BoolField(std::string_view key, bool value) { return Key(key).Bool(value); }
  // "" as null, as the API writes absent text.
  JsonWriter& TextOrNull(std::string_view text) { return text.empty() ? Null() : String(text); }
  template <typename T>
  JsonWriter& OptionalDouble(const std::optional<T>& number) {
    return number ? Double(static_cast<double>(*number)) : Null();
  }

  // The text written so far; the writer is empty afterwards.
  std::string Take();

 private:
  // Before a value: a comma unless it is the first of its object or array.
  void Separate();
  JsonWriter& Open(char bracket);
  JsonWriter& Close(char bracket);

  std::string out_;
  std::vector<bool> first_;  // per open object or array: nothing written in it yet
  bool after_key_ = false;
};

}  // namespace silverwork::serve
