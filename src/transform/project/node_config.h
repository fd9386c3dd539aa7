// NodeConfig: a node's configs, merged from every place they can be set and
// checked once, so the runner reads typed values.
//
// Layers, lowest precedence first: silverwork_project.yml's folder configs
// (outer to inner), the properties file's `config:`, the file's own
// {{ config(...) }} calls. `tags` accumulate across all layers; every other
// key takes the last value set. Errors name where the bad value was set.
//
// Plain values and pure functions; thread-compatible.
#pragma once

#include <algorithm>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "transform/project/project_files.h"
#include "transform/template/template.h"
#include "warehouse/warehouse.h"

namespace silverwork::transform {

enum class Materialization { kView, kTable, kIncremental, kEphemeral };
const char* MaterializationName(Materialization materialization);

enum class Severity { kError, kWarn };

struct NodeConfig {
  Materialization materialized = Materialization::kView;  // models
  std::vector<std::string> unique_key;                    // incremental models, snapshots
  // Table and incremental models, snapshots: indexes built with the table,
  // each on a list of columns (the unique_key of an incremental model or a
  // snapshot is indexed too).
  std::vector<std::vector<std::string>> indexes;
  std::vector<std::string> tags;
  // Snapshots.
  std::string strategy;                 // "timestamp" or "check"
  std::string updated_at;               // timestamp strategy
  std::vector<std::string> check_cols;  // check strategy; empty with check_all_columns
  bool check_all_columns = false;
  bool invalidate_hard_deletes = false;
  // Seeds: declared column types, overriding inference.
  std::vector<std::pair<std::string, ColumnType>> column_types;
  // Tests.
  Severity severity = Severity::kError;
  std::string where;  // generic tests: filter on the tested relation
};

// One config value and where it was set, for error messages.
struct ConfigEntry {
  TemplateValue value;
  std::string origin;
};

// Config layers merged in precedence order; tags accumulate.
class MergedConfig {
 public:
  void Add(const std::string& key, const TemplateValue& value, const std::string& origin) {
    if (key == "tags") {
      if (value.is_string()) {
        AddTag(value.as_string());
      } else if (value.is_list()) {
        for (const TemplateValue& tag : value.as_list())
          if (tag.is_string()) AddTag(tag.as_string());
      }
      return;
    }
    entries_[key] = {value, origin};
  }
  void AddLayer(const ConfigLayer& layer) {
    for (const auto& [key, value] : layer.values) Add(key, value, layer.origin);
  }

  const ConfigEntry* Find(std::string_view key) const {
    auto found = entries_.find(key);
    return found == entries_.end() ? nullptr : &found->second;
  }
  const std::vector<std::string>& tags() const { return tags_; }

 private:
  void AddTag(const std::string& tag) {
    if (std::find(tags_.begin(), tags_.end(), tag) == tags_.end()) tags_.push_back(tag);
  }
  std::map<std::string, ConfigEntry, std::less<>> entries_;
  std::vector<std::string> tags_;
};

// var('name'[, default]) against `vars`: the value, the default, or an error
// saying how to define the var.
Result<TemplateValue> LookUpVar(const VarMap& vars, const CallArguments& args);

// The folder configs that apply to `name` in `folders`: the layers of
// `root`'s tree along [project, folders..., name], root first.
MergedConfig MergeFolderConfigs(const FolderConfigTree& root, const std::string& project,
                                const std::vector<std::string>& folders, const std::string& name);

// Adds the config() calls of `body` to `merged`, validating keys; their
// arguments may use literals and var() (from `vars`).
Status AddInFileConfig(ResourceKind kind, const Template& body, const VarMap& vars,
                       MergedConfig& merged);

// The boolean `key` (`enabled`), `fallback` when unset.
Result<bool> ConfigBool(const MergedConfig& config, std::string_view key, bool fallback);

// The typed configs of a node of `kind`; `path` and `name` name it in errors.
Result<NodeConfig> InterpretConfig(ResourceKind kind, const MergedConfig& merged,
                                   std::string_view path, std::string_view name);

}  // namespace silverwork::transform
