#include "transform/template/methods.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "transform/template/operations.h"

namespace silverwork::transform {
namespace {

using List = TemplateValue::List;
constexpr std::string_view kBlanks = " \t\n\r\f\v";

Result<std::string> TextArgument(const CallArguments& args, size_t index, std::string_view method) {
  if (index >= args.positional.size() || !args.positional[index].is_string())
    return TemplateError(fmt::format(".{}() needs a string argument", method));
  return args.positional[index].as_string();
}

std::string Strip(std::string text, const CallArguments& args, bool left, bool right) {
  const std::string chars = args.positional.empty() || args.positional[0].is_none()
                                ? std::string(kBlanks)
                                : args.positional[0].Render();
  if (right) text.erase(text.find_last_not_of(chars) + 1);
  if (left) text.erase(0, std::min(text.size(), text.find_first_not_of(chars)));
  return text;
}

// Python's str.split(sep=None, maxsplit=-1): without sep, runs of blanks
// separate and the ends are ignored.
Result<TemplateValue> Split(const TemplateValue& self, const CallArguments& args) {
  const std::string& text = self.as_string();
  const TemplateValue* separator = args.Get(0, "sep");
  const TemplateValue* limit = args.Get(1, "maxsplit");
  int64_t splits_left = limit && limit->is_int() ? limit->as_int() : -1;
  List parts;
  if (!separator || separator->is_none()) {
    size_t at = text.find_first_not_of(kBlanks);
    while (at != std::string::npos) {
      size_t end = splits_left == 0 ? std::string::npos : text.find_first_of(kBlanks, at);
      if (end == std::string::npos) {
        parts.emplace_back(text.substr(at));
        break;
      }
      parts.emplace_back(text.substr(at, end - at));
      --splits_left;
      at = text.find_first_not_of(kBlanks, end);
    }
    return TemplateValue(std::move(parts));
  }
  const std::string sep = separator->Render();
  if (sep.empty()) return TemplateError(".split(): empty separator");
  size_t from = 0;
  for (size_t at = text.find(sep); at != std::string::npos && splits_left != 0;
       at = text.find(sep, from), --splits_left) {
    parts.emplace_back(text.substr(from, at - from));
    from = at + sep.size();
  }
  parts.emplace_back(text.substr(from));
  return TemplateValue(std::move(parts));
}

Result<TemplateValue> StringReplace(const TemplateValue& self, const CallArguments& args) {
  SW_ASSIGN_OR_RETURN(std::string old_text, TextArgument(args, 0, "replace"));
  SW_ASSIGN_OR_RETURN(std::string new_text, TextArgument(args, 1, "replace"));
  const std::string& text = self.as_string();
  if (old_text.empty()) return self;
  std::string out;
  size_t from = 0;
  for (size_t at = text.find(old_text); at != std::string::npos; at = text.find(old_text, from)) {
    out += text.substr(from, at - from) + new_text;
    from = at + old_text.size();
  }
  return TemplateValue(out + text.substr(from));
}

Result<TemplateValue> StringJoin(const TemplateValue& self, const CallArguments& args) {
  if (args.positional.empty()) return TemplateError(".join() needs a list");
  SW_ASSIGN_OR_RETURN(List items, Iterate(args.positional[0]));
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (!items[i].is_string())
      return TemplateError(fmt::format(".join(): item {} is a {}, not a string", i, items[i].TypeName()));
    if (i > 0) out += self.as_string();
    out += items[i].as_string();
  }
  return TemplateValue(std::move(out));
}

Result<TemplateValue> CaseMapped(const TemplateValue& self, bool upper) {
  std::string text = self.as_string();
  std::transform(text.begin(), text.end(), text.begin(), [upper](unsigned char c) {
    return static_cast<char>(upper ? std::toupper(c) : std::tolower(c));
  });
  return TemplateValue(std::move(text));
}

Result<TemplateValue> StartsOrEnds(const TemplateValue& self, const CallArguments& args, bool starts) {
  SW_ASSIGN_OR_RETURN(std::string part, TextArgument(args, 0, starts ? "startswith" : "endswith"));
  return TemplateValue(starts ? self.as_string().starts_with(part) : self.as_string().ends_with(part));
}

Result<TemplateValue> Find(const TemplateValue& self, const CallArguments& args) {
  SW_ASSIGN_OR_RETURN(std::string part, TextArgument(args, 0, "find"));
  const size_t at = self.as_string().find(part);
  if (at == std::string::npos) return TemplateValue(int64_t{-1});
  return TemplateValue(static_cast<int64_t>(CodePoints(self.as_string().substr(0, at)).size()));
}

Result<TemplateValue> Count(const TemplateValue& self, const CallArguments& args) {
  if (args.positional.empty()) return TemplateError(".count() needs an argument");
  int64_t count = 0;
  if (self.is_list()) {
    for (const TemplateValue& item : self.as_list()) count += item == args.positional[0] ? 1 : 0;
    return TemplateValue(count);
  }
  SW_ASSIGN_OR_RETURN(std::string part, TextArgument(args, 0, "count"));
  if (part.empty()) return TemplateValue(static_cast<int64_t>(CodePoints(self.as_string()).size() + 1));
  for (size_t at = self.as_string().find(part); at != std::string::npos;
       at = self.as_string().find(part, at + part.size()))
    ++count;
  return TemplateValue(count);
}

Result<TemplateValue> IsDigit(const TemplateValue& self, const CallArguments&) {
  const std::string& text = self.as_string();
  return TemplateValue(!text.empty() && std::all_of(text.begin(), text.end(), [](unsigned char c) {
    return std::isdigit(c) != 0;
  }));
}

Result<TemplateValue> Append(const TemplateValue& self, const CallArguments& args) {
  if (args.positional.size() != 1) return TemplateError(".append() takes one argument");
  self.mutable_list().push_back(args.positional[0]);
  return TemplateValue();
}

Result<TemplateValue> Extend(const TemplateValue& self, const CallArguments& args) {
  if (args.positional.size() != 1) return TemplateError(".extend() takes one argument");
  SW_ASSIGN_OR_RETURN(List items, Iterate(args.positional[0]));
  self.mutable_list().insert(self.mutable_list().end(), items.begin(), items.end());
  return TemplateValue();
}

Result<TemplateValue> Insert(const TemplateValue& self, const CallArguments& args) {
  if (args.positional.size() != 2 || !args.positional[0].is_int())
    return TemplateError(".insert() takes an index and a value");
  List& list = self.mutable_list();
  int64_t at = args.positional[0].as_int();
  const auto size = static_cast<int64_t>(list.size());
  at = std::clamp<int64_t>(at < 0 ? at + size : at, 0, size);
  list.insert(list.begin() + at, args.positional[1]);
  return TemplateValue();
}

Result<TemplateValue> ListPop(const TemplateValue& self, const CallArguments& args) {
  List& list = self.mutable_list();
  if (list.empty()) return TemplateError(".pop() from an empty list");
  int64_t at = args.positional.empty() ? -1 : args.positional[0].is_int() ? args.positional[0].as_int() : -1;
  if (at < 0) at += static_cast<int64_t>(list.size());
  if (at < 0 || at >= static_cast<int64_t>(list.size())) return TemplateError(".pop(): index out of range");
  TemplateValue item = list[static_cast<size_t>(at)];
  list.erase(list.begin() + at);
  return item;
}

Result<TemplateValue> Remove(const TemplateValue& self, const CallArguments& args) {
  if (args.positional.size() != 1) return TemplateError(".remove() takes one argument");
  List& list = self.mutable_list();
  auto found = std::find(list.begin(), list.end(), args.positional[0]);
  if (found == list.end())
    return TemplateError(fmt::format(".remove({}): not in the list", args.positional[0].Repr()));
  list.erase(found);
  return TemplateValue();
}

Result<TemplateValue> Index(const TemplateValue& self, const CallArguments& args) {
  if (args.positional.size() != 1) return TemplateError(".index() takes one argument");
  const List& list = self.as_list();
  auto found = std::find(list.begin(), list.end(), args.positional[0]);
  if (found == list.end())
    return TemplateError(fmt::format(".index({}): not in the list", args.positional[0].Repr()));
  return TemplateValue(static_cast<int64_t>(found - list.begin()));
}

Result<TemplateValue> DictView(const TemplateValue& self, int part) {
  List out;
  for (const auto& [key, value] : self.as_dict()) {
    if (part == 0) out.emplace_back(key);
    if (part == 1) out.push_back(value);
    if (part == 2) out.emplace_back(List{TemplateValue(key), value});
  }
  return TemplateValue(std::move(out));
}

Result<TemplateValue> Get(const TemplateValue& self, const CallArguments& args) {
  if (args.positional.empty() || !args.positional[0].is_string())
    return TemplateError(".get() needs a key (a string)");
  if (const TemplateValue* found = self.Find(args.positional[0].as_string())) return *found;
  return args.positional.size() > 1 ? args.positional[1] : TemplateValue();
}

Result<TemplateValue> Update(const TemplateValue& self, const CallArguments& args) {
  for (const TemplateValue& other : args.positional) {
    if (!other.is_dict()) return TemplateError(".update() needs a dict");
    for (const auto& [key, value] : other.as_dict()) self.Set(key, value);
  }
  for (const auto& [key, value] : args.keyword) self.Set(key, value);
  return TemplateValue();
}

Result<TemplateValue> DictPop(const TemplateValue& self, const CallArguments& args) {
  if (args.positional.empty() || !args.positional[0].is_string())
    return TemplateError(".pop() needs a key (a string)");
  TemplateValue::Dict& dict = self.mutable_dict();
  for (auto entry = dict.begin(); entry != dict.end(); ++entry) {
    if (entry->first != args.positional[0].as_string()) continue;
    TemplateValue value = entry->second;
    dict.erase(entry);
    return value;
  }
  if (args.positional.size() > 1) return args.positional[1];
  return TemplateError(fmt::format(".pop('{}'): no such key", args.positional[0].as_string()));
}

Result<TemplateValue> SetDefault(const TemplateValue& self, const CallArguments& args) {
  if (args.positional.empty() || !args.positional[0].is_string())
    return TemplateError(".setdefault() needs a key (a string)");
  if (const TemplateValue* found = self.Find(args.positional[0].as_string())) return *found;
  TemplateValue value = args.positional.size() > 1 ? args.positional[1] : TemplateValue();
  self.Set(args.positional[0].as_string(), value);
  return value;
}

constexpr std::array<MethodDefinition, 32> kMethods{{
    {"string", "upper", [](const TemplateValue& s, const CallArguments&) { return CaseMapped(s, true); }},
    {"string", "lower", [](const TemplateValue& s, const CallArguments&) { return CaseMapped(s, false); }},
    {"string", "strip", [](const TemplateValue& s, const CallArguments& a) -> Result<TemplateValue> { return TemplateValue(Strip(s.as_string(), a, true, true)); }},
    {"string", "lstrip", [](const TemplateValue& s, const CallArguments& a) -> Result<TemplateValue> { return TemplateValue(Strip(s.as_string(), a, true, false)); }},
    {"string", "rstrip", [](const TemplateValue& s, const CallArguments& a) -> Result<TemplateValue> { return TemplateValue(Strip(s.as_string(), a, false, true)); }},
    {"string", "split", Split},
    {"string", "replace", StringReplace},
    {"string", "join", StringJoin},
    {"string", "startswith", [](const TemplateValue& s, const CallArguments& a) { return StartsOrEnds(s, a, true); }},
    {"string", "endswith", [](const TemplateValue& s, const CallArguments& a) { return StartsOrEnds(s, a, false); }},
    {"string", "find", Find},
    {"string", "count", Count},
    {"string", "isdigit", IsDigit},
    {"string", "capitalize", [](const TemplateValue& s, const CallArguments&) -> Result<TemplateValue> {
       std::string text = s.as_string();
       std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
       if (!text.empty()) text[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(text[0])));
       return TemplateValue(std::move(text));
     }},
    {"list", "append", Append},
    {"list", "extend", Extend},
    {"list", "insert", Insert},
    {"list", "pop", ListPop},
    {"list", "remove", Remove},
    {"list", "index", Index},
    {"list", "count", Count},
    {"list", "reverse", [](const TemplateValue& s, const CallArguments&) -> Result<TemplateValue> {
       std::reverse(s.mutable_list().begin(), s.mutable_list().end());
       return TemplateValue();
     }},
    {"list", "copy", [](const TemplateValue& s, const CallArguments&) -> Result<TemplateValue> { return TemplateValue(List(s.as_list())); }},
    {"dict", "items", [](const TemplateValue& s, const CallArguments&) { return DictView(s, 2); }},
    {"dict", "keys", [](const TemplateValue& s, const CallArguments&) { return DictView(s, 0); }},
    {"dict", "values", [](const TemplateValue& s, const CallArguments&) { return DictView(s, 1); }},
    {"dict", "get", Get},
    {"dict", "update", Update},
    {"dict", "pop", DictPop},
    {"dict", "setdefault", SetDefault},
    {"dict", "copy", [](const TemplateValue& s, const CallArguments&) -> Result<TemplateValue> { return TemplateValue::FromDict(s.as_dict()); }},
    {"dict", "clear", [](const TemplateValue& s, const CallArguments&) -> Result<TemplateValue> {
       s.mutable_dict().clear();
       return TemplateValue();
     }},
}};

}  // namespace

std::span<const MethodDefinition> Methods() { return kMethods; }

const MethodDefinition* FindMethod(const TemplateValue& self, std::string_view name) {
  std::string_view type = self.is_string() ? "string" : self.is_list() ? "list" : self.is_dict() ? "dict" : "";
  if (type.empty()) return nullptr;
  for (const MethodDefinition& method : kMethods)
    if (method.type == type && method.name == name) return &method;
  return nullptr;
}

}  // namespace silverwork::transform
