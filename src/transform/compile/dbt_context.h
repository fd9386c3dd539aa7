// DbtContext: the names dbt gives every model, test and macro beyond ref,
// source, config, var and this (which the compiler answers per node):
//
//   target            {name, schema, type, threads}
//   env_var(n, d)     the environment variable n, else d; an error when
//                     unset without a default, and for DBT_ENV_SECRET_*
//                     names, which dbt keeps out of SQL too
//   log(msg, info)    writes to the log, renders nothing
//   exceptions        raise_compiler_error(msg), warn(msg)
//   adapter           dispatch(name, macro_namespace): the macro
//                     <engine>__name, else default__name
//   execute           true (silverwork renders only to run)
//   run_started_at    when the command started: an aware datetime in UTC
//   invocation_id
//   modules           modules.datetime (datetime_module.h), on the
//                     invocation's clock
//   the project's and its packages' macros, and each package by name
//   (`package.macro()`)
//
// Built once per invocation; immutable afterwards and thread-safe (each
// render's environment asks it).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/status.h"
#include "transform/project/project_files.h"
#include "transform/template/macros.h"
#include "transform/template/value.h"

namespace silverwork::transform {

struct DbtContextValues {
  std::string target_name = "dev";
  std::string target_schema = "main";
  std::string target_type;  // the warehouse engine: sqlite, postgres
  int threads = 1;
  std::string invocation_id;
  std::chrono::system_clock::time_point run_started_at{};
  // What modules.datetime's now() and today() read; null: the system clock.
  Clock* clock = nullptr;
};

// The values of one invocation: the target from `files` (profiles.yml)
// where it names one, the rest as given. REQUIRES: `clock` outlives them.
DbtContextValues ContextValuesFor(const ProjectFiles& files, int threads,
                                  std::string invocation_id, Clock& clock,
                                  std::chrono::system_clock::time_point run_started_at);

class DbtContext {
 public:
  // REQUIRES: `macros` (may be null: no macros) outlives the context.
  DbtContext(DbtContextValues values, const MacroRegistry* macros);
  // Its functions point back at it.
  DbtContext(const DbtContext&) = delete;
  DbtContext& operator=(const DbtContext&) = delete;

  // The value of `name` as code of `package` sees it, or nullopt.
  std::optional<TemplateValue> LookUp(std::string_view name, std::string_view package) const;

  const DbtContextValues& values() const { return values_; }

 private:
  DbtContextValues values_;
  const MacroRegistry* macros_;
  TemplateValue target_;
  TemplateValue env_var_;
  TemplateValue log_;
  TemplateValue exceptions_;
  TemplateValue adapter_;
  TemplateValue modules_;
  TemplateValue run_started_at_;
};

}  // namespace silverwork::transform
