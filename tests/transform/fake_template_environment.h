// FakeEnvironment: a TemplateEnvironment that answers the way the compiler
// does, with recognisable stand-ins: ref('x') is "x", source('a', 'b') is
// "a_b", this is "this_model". For template tests only; not thread-safe.
#pragma once


#include <optional>
#include <string>
#include <string_view>

#include "transform/project/node_config.h"
#include "transform/template/environment.h"
#include "transform/template/natives.h"

namespace silverwork::transform {

class FakeEnvironment final : public TemplateEnvironment {
 public:
  VarMap vars;
  bool incremental = false;

  Result<std::optional<TemplateValue>> LookUp(std::string_view name,
                                              std::string_view /*package*/) override {
    if (name == "this") return std::optional(TemplateValue("\"this_model\""));
    if (name == "ref")
      return Function(name, [](const CallArguments& args) -> Result<TemplateValue> {
        return TemplateValue("\"" + args.positional.back().as_string() + "\"");
      });
    if (name == "source")
      return Function(name, [](const CallArguments& args) -> Result<TemplateValue> {
        return TemplateValue("\"" + args.positional[0].as_string() + "_" +
                             args.positional[1].as_string() + "\"");
      });
    if (name == "config")
      return Function(name, [](const CallArguments&) -> Result<TemplateValue> {
        return TemplateValue(std::string());
      });
    if (name == "var")
      return Function(name, [this](const CallArguments& args) { return LookUpVar(vars, args); });
    if (name == "is_incremental")
      return Function(name, [this](const CallArguments&) -> Result<TemplateValue> {
        return TemplateValue(incremental);
      });
    return std::optional<TemplateValue>();
  }

 private:
  static std::optional<TemplateValue> Function(std::string_view name, NativeFunction::Body body) {
    return MakeFunction(std::string(name), std::move(body));
  }
};

}  // namespace silverwork::transform
