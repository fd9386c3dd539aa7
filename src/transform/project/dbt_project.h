// What lets a dbt project run as it is: the keys of dbt's dbt_project.yml
// reference that silverwork accepts without using, the require-dbt-version
// check against the dbt version the runner follows (kFollowedDbtVersion), and
// packages.yml, of which only `local:` packages are installed (nothing is
// downloaded here). Pure functions over files; thread-safe.
#pragma once

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "transform/project/yaml_reader.h"

namespace silverwork::transform {

// dbt_project.yml keys that mean nothing here (clean-targets, log-path, ...).
std::span<const std::string> IgnoredProjectKeys();

// Whether the version constraint(s) of `require-dbt-version` (a string such
// as ">=1.5.0" or "1.8", ">=1.0.0,<2.0.0", or a list of them) admit
// `version`; an error naming the constraint when not, or when it is malformed.
Status CheckRequiredDbtVersion(const YamlReader& yaml, const YAML::Node& constraints,
                               std::string_view version);

// A package of packages.yml: its folder, relative to the project root.
struct LocalPackage {
  std::string path;
  int line = 0;
};

// The `local:` entries of `<root>/packages.yml` (or dependencies.yml); none
// when neither exists. A package that needs a download (package:, git:,
// tarball:) is an error saying to copy it in and list it as local:.
Result<std::vector<LocalPackage>> ReadLocalPackages(const std::filesystem::path& root);

// The target of `profile` in `<root>/profiles.yml`: its name and its
// output's schema (either empty when not written). Nothing when the file
// does not exist; an error when it lacks the profile. Reads nothing else
// (connection settings and secrets stay unread).
struct ProfileTarget {
  std::string name;
  std::string schema;
};
Result<ProfileTarget> ReadProfileTarget(const std::filesystem::path& root,
                                        const std::string& profile);

}  // namespace silverwork::transform
