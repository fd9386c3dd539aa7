#include "transform/compile/dbt_context.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <cstdlib>

#include "transform/template/datetime_module.h"
#include "transform/template/natives.h"

namespace silverwork::transform {
namespace {

// A namespace of the context (exceptions, adapter, a package): named values.
class ContextNamespace final : public TemplateObject {
 public:
  using Members = std::function<std::optional<TemplateValue>(std::string_view)>;
  ContextNamespace(std::string name, Members members)
      : name_(std::move(name)), members_(std::move(members)) {}
  std::string TypeName() const override { return name_; }
  std::optional<TemplateValue> Attribute(std::string_view name) const override {
    return members_(name);
  }

 private:
  std::string name_;
  Members members_;
};

TemplateValue MakeNamespace(std::string name, ContextNamespace::Members members) {
  return TemplateValue(std::make_shared<const ContextNamespace>(std::move(name), std::move(members)));
}

// The string argument `index` (or keyword `name`) of a call.
Result<std::string> StringArgument(const CallArguments& args, size_t index, std::string_view name,
                                   std::string_view function) {
  const TemplateValue* value = args.Get(index, name);
  if (!value || !value->is_string())
    return TemplateError(fmt::format("{}() needs '{}' as a string", function, name));
  return value->as_string();
}

Result<TemplateValue> EnvVar(const CallArguments& args) {
  SW_ASSIGN_OR_RETURN(std::string name, StringArgument(args, 0, "var", "env_var"));
  if (name.starts_with("DBT_ENV_SECRET_"))
    return TemplateError(fmt::format("env_var('{}'): secrets are not rendered into SQL", name),
                         "DBT_ENV_SECRET_ variables are for connection settings only, as in dbt");
  if (const char* value = std::getenv(name.c_str())) return TemplateValue(std::string(value));
  if (const TemplateValue* fallback = args.Get(1, "default")) return *fallback;
  return TemplateError(fmt::format("env_var('{}'): the variable is not set", name),
                       "set it in the environment or give a default: env_var('NAME', 'value')");
}

Result<TemplateValue> Log(const CallArguments& args) {
  SW_ASSIGN_OR_RETURN(std::string message, StringArgument(args, 0, "msg", "log"));
  const TemplateValue* info = args.Get(1, "info");
  if (info && info->Truthy()) {
    spdlog::info("{}", message);
  } else {
    spdlog::debug("{}", message);
  }
  return TemplateValue(std::string());
}

}  // namespace

DbtContextValues ContextValuesFor(const ProjectFiles& files, int threads,
                                  std::string invocation_id, Clock& clock,
                                  std::chrono::system_clock::time_point run_started_at) {
  DbtContextValues values{.threads = threads,
                          .invocation_id = std::move(invocation_id),
                          .run_started_at = run_started_at,
                          .clock = &clock};
  if (!files.target_name.empty()) values.target_name = files.target_name;
  if (!files.target_schema.empty()) values.target_schema = files.target_schema;
  return values;
}

DbtContext::DbtContext(DbtContextValues values, const MacroRegistry* macros)
    : values_(std::move(values)), macros_(macros) {
  target_ = TemplateValue::FromDict({{"name", values_.target_name},
                                     {"schema", values_.target_schema},
                                     {"type", values_.target_type},
                                     {"threads", values_.threads}});
  env_var_ = MakeFunction("env_var", EnvVar);
  Clock* clock = values_.clock ? values_.clock : &DefaultClock();
  modules_ = MakeNamespace("modules", [datetime = MakeDatetimeModule([clock] { return clock->Now(); })](
                                          std::string_view name) -> std::optional<TemplateValue> {
    if (name == "datetime") return datetime;
    return std::nullopt;
  });
  run_started_at_ = MakeUtcDatetime(values_.run_started_at);
  log_ = MakeFunction("log", Log);
  exceptions_ = MakeNamespace("exceptions", [](std::string_view name) -> std::optional<TemplateValue> {
    if (name == "raise_compiler_error")
      return MakeFunction("raise_compiler_error", [](const CallArguments& args) -> Result<TemplateValue> {
        SW_ASSIGN_OR_RETURN(std::string message,
                            StringArgument(args, 0, "msg", "raise_compiler_error"));
        return TemplateError(fmt::format("compilation error: {}", message));
      });
    if (name == "warn")
      return MakeFunction("warn", [](const CallArguments& args) -> Result<TemplateValue> {
        SW_ASSIGN_OR_RETURN(std::string message, StringArgument(args, 0, "msg", "warn"));
        spdlog::warn("{}", message);
        return TemplateValue(std::string());
      });
    return std::nullopt;
  });
  adapter_ = MakeNamespace("adapter", [this](std::string_view name) -> std::optional<TemplateValue> {
    if (name != "dispatch") return std::nullopt;
    return MakeFunction("dispatch", [this](const CallArguments& args) -> Result<TemplateValue> {
      SW_ASSIGN_OR_RETURN(std::string macro, StringArgument(args, 0, "macro_name", "adapter.dispatch"));
      const TemplateValue* space = args.Get(1, "macro_namespace");
      std::vector<std::string> packages;
      if (space && space->is_string()) {
        packages.push_back(space->as_string());
      } else if (macros_) {
        packages = macros_->Packages();
      }
      for (const std::string& prefix : {values_.target_type + "__", std::string("default__")})
        for (const std::string& package : packages)
          if (const TemplateValue* found = macros_ ? macros_->Find(package, prefix + macro) : nullptr)
            return *found;
      return TemplateError(
          fmt::format("adapter.dispatch('{}') found neither {}__{} nor default__{}", macro,
                      values_.target_type, macro, macro),
          "define one of them under macro-paths (docs/transform.md, Macros)");
    });
  });
}

std::optional<TemplateValue> DbtContext::LookUp(std::string_view name,
                                                std::string_view package) const {
  // A copy: a render that changes its target ({% do target.update(...) %})
  // must not change the next node's.
  if (name == "target") return target_.DeepCopy();
  if (name == "env_var") return env_var_;
  if (name == "log") return log_;
  if (name == "exceptions") return exceptions_;
  if (name == "adapter") return adapter_;
  if (name == "execute") return TemplateValue(true);
  if (name == "run_started_at") return run_started_at_;
  if (name == "modules") return modules_;
  if (name == "invocation_id") return TemplateValue(values_.invocation_id);
  if (!macros_) return std::nullopt;
  if (const TemplateValue* macro =
          macros_->Resolve(name, package.empty() ? std::string_view(macros_->root_package()) : package))
    return *macro;
  if (macros_->HasPackage(name)) {
    const MacroRegistry* macros = macros_;
    std::string package_name(name);
    return MakeNamespace(package_name, [macros, package_name](std::string_view macro)
                                           -> std::optional<TemplateValue> {
      if (const TemplateValue* found = macros->Find(package_name, macro)) return *found;
      return std::nullopt;
    });
  }
  return std::nullopt;
}

}  // namespace silverwork::transform
