#include "transform/project/dbt_project.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>

namespace silverwork::transform {
namespace fs = std::filesystem;
namespace {

using Version = std::array<int, 3>;

// "1.8.0", "1.8" or "1": missing parts are 0.
std::optional<Version> ParseVersion(std::string_view text) {
  Version version{0, 0, 0};
  for (size_t part = 0; part < version.size() && !text.empty(); ++part) {
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), version[part]);
    if (error != std::errc()) return std::nullopt;
    text.remove_prefix(static_cast<size_t>(end - text.data()));
    if (!text.empty()) {
      if (text.front() != '.') return std::nullopt;
      text.remove_prefix(1);
    }
  }
  if (!text.empty()) return std::nullopt;
  return version;
}

// One constraint ("<2.0.0", "1.8.0"): whether `version` meets it, or nullopt
// when it is malformed.
std::optional<bool> Admits(std::string constraint, const Version& version) {
  std::erase_if(constraint, [](char c) { return c == ' '; });
  std::string_view text = constraint;
  std::string_view op = "==";
  for (std::string_view candidate : {">=", "<=", "==", ">", "<", "="}) {
    if (text.starts_with(candidate)) {
      op = candidate;
      text.remove_prefix(candidate.size());
      break;
    }
  }
  auto bound = ParseVersion(text);
  if (!bound) return std::nullopt;
  if (op == ">=") return version >= *bound;
  if (op == "<=") return version <= *bound;
  if (op == ">") return version > *bound;
  if (op == "<") return version < *bound;
  return version == *bound;
}

}  // namespace

std::span<const std::string> IgnoredProjectKeys() {
  static const std::vector<std::string> kIgnored{
      "clean-targets", "packages-install-path", "docs-paths",   "asset-paths",
      "log-path",  "query-comment", "quoting",               "on-run-start", "on-run-end",
      "dispatch",  "sources",       "metrics",               "semantic-models",
      "saved-queries", "exposures", "flags",                 "dbt-cloud",    "restrict-access"};
  return kIgnored;
}

Status CheckRequiredDbtVersion(const YamlReader& yaml, const YAML::Node& constraints,
                               std::string_view version) {
  std::vector<std::string> written;
  if (constraints.IsScalar()) {
    written.push_back(constraints.as<std::string>());
  } else {
    SW_ASSIGN_OR_RETURN(written, yaml.StringList(constraints, "require-dbt-version"));
  }
  const Version followed = *ParseVersion(version);
  for (const std::string& entry : written) {
    size_t start = 0;
    while (start <= entry.size()) {  // a string may hold several, comma-separated
      size_t comma = std::min(entry.find(',', start), entry.size());
      std::string constraint = entry.substr(start, comma - start);
      start = comma + 1;
      auto admitted = Admits(constraint, followed);
      if (!admitted)
        return yaml.Error(constraints,
                          fmt::format("require-dbt-version '{}' is not a version constraint",
                                      constraint),
                          "write constraints such as '>=1.5.0' or ['>=1.5.0', '<2.0.0']");
      if (!*admitted)
        return yaml.Error(
            constraints,
            fmt::format("require-dbt-version '{}' does not admit dbt {}, the version silverwork's "
                        "runner follows",
                        constraint, version),
            "widen the constraint if the project needs nothing newer (docs/transform.md lists "
            "what is supported)");
    }
  }
  return Status::Ok();
}

Result<std::vector<LocalPackage>> ReadLocalPackages(const fs::path& root) {
  std::vector<LocalPackage> packages;
  for (const char* name : {"packages.yml", "dependencies.yml"}) {
    std::error_code error;
    if (!fs::exists(root / name, error)) continue;
    YamlReader yaml{name};
    SW_ASSIGN_OR_RETURN(YAML::Node file, ReadYamlFile(root / name, yaml.path()));
    const YAML::Node list = file["packages"];
    if (!list) continue;
    if (!list.IsSequence()) return yaml.Error(list, "'packages' must be a list");
    for (const YAML::Node& entry : list) {
      if (!entry.IsMap() || !entry["local"]) {
        std::string what = entry.IsMap() && entry["package"] ? entry["package"].as<std::string>()
                           : entry.IsMap() && entry["git"] ? entry["git"].as<std::string>()
                                                           : "an entry";
        return yaml.Error(entry,
                          fmt::format("package '{}' would need a download; silverwork installs "
                                      "only local: packages",
                                      what),
                          "copy the package into the project and list it as '- local: <folder>'");
      }
      SW_ASSIGN_OR_RETURN(std::string path, yaml.String(entry["local"], "local"));
      packages.push_back({path, entry.Mark().line + 1});
    }
  }
  return packages;
}

Result<ProfileTarget> ReadProfileTarget(const fs::path& root, const std::string& profile) {
  ProfileTarget target;
  std::error_code error;
  if (!fs::exists(root / "profiles.yml", error)) return target;
  YamlReader yaml{"profiles.yml"};
  SW_ASSIGN_OR_RETURN(YAML::Node file, ReadYamlFile(root / "profiles.yml", yaml.path()));
  const YAML::Node entry = file[profile];
  if (!entry || !entry.IsMap())
    return yaml.Error(file, fmt::format("profiles.yml has no profile '{}'", profile),
                      "name the project's profile (dbt_project.yml 'profile:', else its name) "
                      "or remove profiles.yml: silverwork takes the warehouse from its config");
  if (entry["target"]) {
    SW_ASSIGN_OR_RETURN(target.name, yaml.String(entry["target"], "target"));
  }
  const YAML::Node output = entry["outputs"] && !target.name.empty()
                                ? entry["outputs"][target.name]
                                : YAML::Node();
  if (output && output.IsMap() && output["schema"]) {
    SW_ASSIGN_OR_RETURN(target.schema, yaml.String(output["schema"], "schema"));
  }
  return target;
}

}  // namespace silverwork::transform
