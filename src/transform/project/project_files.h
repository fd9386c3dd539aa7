// ProjectFiles: a silverwork (dbt-style) project as read from disk, before
// configs are resolved and the graph is built (see manifest.h).
//
// Loading reads the project file — silverwork_project.yml or, for a dbt
// project copied as it is, dbt_project.yml (one of them) — every .sql under
// the model, snapshot, test and analysis paths (each parsed once into a
// Template), the macros under macro-paths and those of local packages
// (packages.yml `local:` entries) into a MacroRegistry, the models and
// properties files under each local package's model-paths, every seed .csv (by
// path; rows are read when the seed is loaded) and every properties .yml
// under those paths (sources:, models:, seeds:, snapshots:); of a
// profiles.yml beside the project file, only the target's name and schema
// (never a connection setting or secret). Every key of
// dbt's dbt_project.yml reference is accepted; those that mean nothing here
// are listed in `ignored_keys` for the caller to report once. Unknown keys
// are rejected with the file, line and the closest known key, because a typo
// in a config silently ignored is worse than an error.
//
// A loaded ProjectFiles is immutable; thread-compatible.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "transform/template/macros.h"
#include "transform/template/template.h"

namespace silverwork::transform {

// The dbt version whose project format and Jinja context the runner follows;
// a project's require-dbt-version must admit it.
inline constexpr std::string_view kFollowedDbtVersion = "1.8.0";

// The project's vars (silverwork_project.yml's `vars:`, overridden by --vars).
using VarMap = std::map<std::string, TemplateValue, std::less<>>;

enum class ResourceKind { kModel, kSeed, kSnapshot, kTest, kSource };

// "model", "seed", "snapshot", "test", "source".
const char* ResourceKindName(ResourceKind kind);

// Config keys a resource kind accepts (in silverwork_project.yml folders,
// properties files and config() calls).
std::span<const std::string> ConfigKeys(ResourceKind kind);

// Config values from one place, in the order written. `column_types`, the
// only mapping-valued key, is held as a list of [column, type] pairs.
struct ConfigLayer {
  std::vector<std::pair<std::string, TemplateValue>> values;
  std::string origin;  // "silverwork_project.yml", "models/schema.yml:12", ...

  const TemplateValue* Find(std::string_view key) const;
};

// silverwork_project.yml's per-folder defaults for one resource kind:
// `models: {<project>: {staging: {+materialized: view}}}`.
struct FolderConfigTree {
  ConfigLayer config;
  std::map<std::string, FolderConfigTree, std::less<>> children;
};

// A generic test as written in a properties file.
struct GenericTestSpec {
  std::string kind;                   // unique, not_null, accepted_values, relationships
  std::string column;                 // the column tested
  std::vector<TemplateValue> values;  // accepted_values
  bool quote_values = true;           // accepted_values: quote: false leaves numbers bare
  std::optional<Expr> to;             // relationships: ref('x') or source('s', 't')
  std::string field;                  // relationships: the parent's column
  ConfigLayer config;                 // severity, tags, enabled, where
  std::string path;                   // the properties file
  int line = 0;
};

struct ColumnProperties {
  std::string name;
  std::string description;
};

// A `models:`, `seeds:` or `snapshots:` entry of a properties file.
struct ResourceProperties {
  std::string name;
  std::string description;
  ConfigLayer config;
  std::vector<ColumnProperties> columns;
  std::vector<GenericTestSpec> tests;  // column tests and model-level tests (column_name:)
  std::string path;
  int line = 0;
};

struct FreshnessThreshold {
  int64_t count = 0;
  std::string period;  // minute, hour or day
};

struct FreshnessPolicy {
  std::optional<FreshnessThreshold> warn_after;
  std::optional<FreshnessThreshold> error_after;
};

struct SourceTableProperties {
  std::string name;
  std::string identifier;  // the table's name in the warehouse; defaults to `name`
  std::string description;
  std::string loaded_at_field;
  std::optional<FreshnessPolicy> freshness;
  std::vector<std::string> tags;
  std::vector<ColumnProperties> columns;
  std::vector<GenericTestSpec> tests;
  int line = 0;
};

struct SourceProperties {
  std::string name;
  std::string schema;  // optional; relations render as "schema"."identifier" when set
  std::string description;
  std::vector<SourceTableProperties> tables;
  std::string path;
  int line = 0;
};

// A .sql file (or one snapshot block of one), parsed.
struct SqlFile {
  std::string name;                  // file stem, or the snapshot block's name
  std::string path;                  // relative to the project root, '/'-separated
  std::vector<std::string> folders;  // folders between the resource path and the file
  Template body;
  std::string package;  // the local package whose model it is; empty: the project's
};

struct SeedFile {
  std::string name;
  std::string path;  // relative to the project root
  std::vector<std::string> folders;
};

struct ProjectFiles {
  std::filesystem::path root;
  std::string name;
  std::string project_file;  // "silverwork_project.yml" or "dbt_project.yml"
  // Keys of the project file accepted but meaning nothing here (profile,
  // clean-targets, ...), in file order.
  std::vector<std::string> ignored_keys;
  // target-path, relative to the root; empty when the file does not set it.
  std::string target_path;
  // From profiles.yml beside the project file, when there is one (the
  // warehouse itself comes from silverwork's config): the profile's target
  // and that output's schema; empty when not given.
  std::string target_name;
  std::string target_schema;
  // The macros of the project (macro-paths) and of its local packages;
  // shared, so copies of the files share one registry.
  std::shared_ptr<const MacroRegistry> macros;
  std::vector<SqlFile> analyses;
  VarMap vars;
  FolderConfigTree model_folders;
  FolderConfigTree seed_folders;
  FolderConfigTree snapshot_folders;
  FolderConfigTree test_folders;
  std::vector<SqlFile> models;
  std::vector<SqlFile> snapshots;
  std::vector<SqlFile> singular_tests;
  std::vector<SeedFile> seeds;
  std::vector<SourceProperties> sources;
  std::vector<ResourceProperties> model_properties;
  std::vector<ResourceProperties> seed_properties;
  std::vector<ResourceProperties> snapshot_properties;
};

// Reads the project rooted at `root` (the folder holding the project file).
Result<ProjectFiles> LoadProjectFiles(const std::filesystem::path& root);

}  // namespace silverwork::transform
