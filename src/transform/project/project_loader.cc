#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "transform/project/builtin_macros.h"
#include "transform/project/dbt_project.h"
#include "transform/project/project_files.h"
#include "transform/project/properties_reader.h"
#include "transform/project/yaml_reader.h"

namespace silverwork::transform {
namespace fs = std::filesystem;
namespace {

constexpr std::string_view kSilverworkProjectFile = "silverwork_project.yml";
constexpr std::string_view kDbtProjectFile = "dbt_project.yml";

// The project file of `root`: silverwork_project.yml or dbt_project.yml.
Result<std::string> FindProjectFile(const fs::path& root) {
  std::error_code error;
  const bool silverwork = fs::exists(root / kSilverworkProjectFile, error);
  const bool dbt = fs::exists(root / kDbtProjectFile, error);
  if (silverwork && dbt)
    return Status(ErrorCode::kInvalidInput,
                  fmt::format("both {} and {} in {}", kSilverworkProjectFile, kDbtProjectFile,
                              root.string()),
                  fmt::format("keep one of them: {} for a dbt project copied as it is, else {}",
                              kDbtProjectFile, kSilverworkProjectFile));
  if (silverwork) return std::string(kSilverworkProjectFile);
  if (dbt) return std::string(kDbtProjectFile);
  return Status(ErrorCode::kNotFound,
                fmt::format("no {} or {} in {}", kSilverworkProjectFile, kDbtProjectFile,
                            root.string()),
                "run the command from the project folder or pass the folder holding the "
                "project file");
}

Result<std::string> ReadTextFile(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return Status(ErrorCode::kIO, fmt::format("cannot read {}", file.string()));
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

bool IsIdentifier(std::string_view name) {
  if (name.empty() || !(std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_'))
    return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

// Files under each of `roots` (relative to the project), sorted, with the
// folders between the root and the file.
struct FoundFile {
  fs::path absolute;
  std::string relative;
  std::vector<std::string> folders;
};

std::vector<FoundFile> FindFiles(const fs::path& project_root, std::span<const std::string> roots,
                                 std::span<const std::string_view> extensions) {
  std::vector<FoundFile> found;
  for (const std::string& root : roots) {
    fs::path base = project_root / root;
    std::error_code error;
    if (!fs::is_directory(base, error)) continue;
    for (const auto& entry : fs::recursive_directory_iterator(base, error)) {
      if (!entry.is_regular_file()) continue;
      std::string extension = entry.path().extension().string();
      if (std::find(extensions.begin(), extensions.end(), extension) == extensions.end()) continue;
      FoundFile file;
      file.absolute = entry.path();
      file.relative = fs::relative(entry.path(), project_root).generic_string();
      for (const auto& part : fs::relative(entry.path().parent_path(), base))
        if (part != ".") file.folders.push_back(part.string());
      found.push_back(std::move(file));
    }
  }
  std::sort(found.begin(), found.end(),
            [](const FoundFile& a, const FoundFile& b) { return a.relative < b.relative; });
  found.erase(
      std::unique(found.begin(), found.end(),
                  [](const FoundFile& a, const FoundFile& b) { return a.relative == b.relative; }),
      found.end());
  return found;
}

// LoadProjectFiles in its steps: the project file, then each resource path's
// .sql and .csv files, then the properties files (properties_reader.h).
class ProjectLoader {
 public:
  explicit ProjectLoader(fs::path root) { files_.root = std::move(root); }

  Result<ProjectFiles> Run() {
    SW_RETURN_IF_ERROR(ReadProjectFile());
    constexpr std::string_view kSql[] = {".sql"};
    constexpr std::string_view kCsv[] = {".csv"};
    for (FoundFile& file : FindFiles(files_.root, model_paths_, kSql))
      SW_RETURN_IF_ERROR(AddSqlFile(file, files_.models));
    for (FoundFile& file : FindFiles(files_.root, test_paths_, kSql))
      SW_RETURN_IF_ERROR(AddSqlFile(file, files_.singular_tests));
    for (FoundFile& file : FindFiles(files_.root, snapshot_paths_, kSql))
      SW_RETURN_IF_ERROR(AddSnapshotFile(file));
    for (FoundFile& file : FindFiles(files_.root, seed_paths_, kCsv))
      files_.seeds.push_back({file.absolute.stem().string(), file.relative, file.folders});
    for (FoundFile& file : FindFiles(files_.root, analysis_paths_, kSql))
      SW_RETURN_IF_ERROR(AddSqlFile(file, files_.analyses));
    SW_RETURN_IF_ERROR(ReadMacros());

    std::vector<std::string> all_paths;
    for (const auto* paths : {&model_paths_, &seed_paths_, &test_paths_, &snapshot_paths_})
      all_paths.insert(all_paths.end(), paths->begin(), paths->end());
    SW_RETURN_IF_ERROR(AddPackageModels(all_paths));
    constexpr std::string_view kYaml[] = {".yml", ".yaml"};
    for (FoundFile& file : FindFiles(files_.root, all_paths, kYaml))
      SW_RETURN_IF_ERROR(ReadPropertiesFile(file.absolute, file.relative, files_));
    return std::move(files_);
  }

 private:
  // The project file: the project's name, resource paths, vars and
  // per-folder config defaults; dbt's keys that mean nothing here are noted.
  Status ReadProjectFile() {
    SW_ASSIGN_OR_RETURN(files_.project_file, FindProjectFile(files_.root));
    YamlReader yaml{files_.project_file};
    SW_ASSIGN_OR_RETURN(YAML::Node root, ReadYamlFile(files_.root / files_.project_file, yaml.path()));
    static const std::vector<std::string> kKeys = [] {
      std::vector<std::string> keys{
          "name",           "version",        "config-version", "model-paths",  "seed-paths",
          "test-paths",     "snapshot-paths", "macro-paths",    "analysis-paths", "target-path",
          "require-dbt-version", "profile",   "vars",      "models",         "seeds",        "snapshots",
          "tests",          "data_tests"};
      std::span<const std::string> ignored = IgnoredProjectKeys();
      keys.insert(keys.end(), ignored.begin(), ignored.end());
      return keys;
    }();
    SW_RETURN_IF_ERROR(yaml.CheckKeys(root, kKeys, files_.project_file));
    for (const auto& entry : root) {
      std::string key = entry.first.as<std::string>();
      std::span<const std::string> ignored = IgnoredProjectKeys();
      if (std::find(ignored.begin(), ignored.end(), key) != ignored.end())
        files_.ignored_keys.push_back(key);
    }
    if (root["require-dbt-version"])
      SW_RETURN_IF_ERROR(
          CheckRequiredDbtVersion(yaml, root["require-dbt-version"], kFollowedDbtVersion));
    if (!root["name"]) return yaml.Error(root, "the project needs a 'name'");
    SW_ASSIGN_OR_RETURN(files_.name, yaml.String(root["name"], "name"));
    if (!IsIdentifier(files_.name))
      return yaml.Error(root["name"], fmt::format("project name '{}' must be letters, digits and _",
                                                  files_.name));
    SW_RETURN_IF_ERROR(yaml.OptionalString(root, "target-path", files_.target_path));
    std::string profile = files_.name;
    SW_RETURN_IF_ERROR(yaml.OptionalString(root, "profile", profile));
    SW_ASSIGN_OR_RETURN(ProfileTarget target, ReadProfileTarget(files_.root, profile));
    files_.target_name = std::move(target.name);
    files_.target_schema = std::move(target.schema);
    SW_RETURN_IF_ERROR(ReadResourcePaths(yaml, root));
    SW_RETURN_IF_ERROR(ReadVars(yaml, root));
    return ReadFolderConfigs(yaml, root);
  }

  // The built-in macros, the project's, then each local package's, into one
  // registry.
  Status ReadMacros() {
    auto registry =
        std::make_shared<MacroRegistry>(files_.name, std::string(kBuiltinMacroPackage));
    SW_RETURN_IF_ERROR(AddBuiltinMacros(*registry));
    if (registry->HasPackage(files_.name))
      return Status(ErrorCode::kInvalidInput,
                    fmt::format("project name '{}' is the built-in macro package's", files_.name),
                    "rename the project in its project file");
    registry->AddPackage(files_.name);
    SW_RETURN_IF_ERROR(AddMacroFiles(macro_paths_, files_.name, *registry));
    SW_ASSIGN_OR_RETURN(std::vector<LocalPackage> packages, ReadLocalPackages(files_.root));
    for (const LocalPackage& package : packages) {
      const fs::path folder = files_.root / package.path;
      auto project_file = FindProjectFile(folder);
      if (!project_file.ok())
        return project_file.status().WithContext(
            fmt::format("packages.yml:{}: local package '{}'", package.line, package.path));
      YamlReader yaml{package.path + "/" + *project_file};
      SW_ASSIGN_OR_RETURN(YAML::Node root, ReadYamlFile(folder / *project_file, yaml.path()));
      if (!root["name"]) return yaml.Error(root, "the package needs a 'name'");
      SW_ASSIGN_OR_RETURN(std::string name, yaml.String(root["name"], "name"));
      if (registry->HasPackage(name))
        return yaml.Error(root["name"], fmt::format("package name '{}' is taken", name));
      SW_ASSIGN_OR_RETURN(std::vector<std::string> paths,
                          PackagePaths(yaml, root, "macro-paths", "macros", package.path));
      registry->AddPackage(name);
      SW_RETURN_IF_ERROR(AddMacroFiles(paths, name, *registry));
      SW_ASSIGN_OR_RETURN(paths, PackagePaths(yaml, root, "model-paths", "models", package.path));
      packages_.push_back({name, std::move(paths)});
    }
    files_.macros = std::move(registry);
    return Status::Ok();
  }

  // A package's `key` paths (default `default_path`), relative to the project.
  static Result<std::vector<std::string>> PackagePaths(const YamlReader& yaml,
                                                       const YAML::Node& root, const char* key,
                                                       const char* default_path,
                                                       const std::string& package_path) {
    std::vector<std::string> paths{default_path};
    if (root[key]) {
      SW_ASSIGN_OR_RETURN(paths, yaml.StringList(root[key], key));
    }
    for (std::string& path : paths) path = (fs::path(package_path) / path).generic_string();
    return paths;
  }

  // Each local package's models, built like the project's (dbt does); its
  // properties files are read with the project's.
  Status AddPackageModels(std::vector<std::string>& properties_paths) {
    constexpr std::string_view kSql[] = {".sql"};
    for (const PackageFolders& package : packages_) {
      for (FoundFile& file : FindFiles(files_.root, package.model_paths, kSql)) {
        SW_RETURN_IF_ERROR(AddSqlFile(file, files_.models));
        files_.models.back().package = package.name;
      }
      properties_paths.insert(properties_paths.end(), package.model_paths.begin(),
                              package.model_paths.end());
    }
    return Status::Ok();
  }

  Status AddMacroFiles(const std::vector<std::string>& paths, const std::string& package,
                       MacroRegistry& registry) const {
    constexpr std::string_view kSql[] = {".sql"};
    for (FoundFile& file : FindFiles(files_.root, paths, kSql)) {
      SW_ASSIGN_OR_RETURN(std::string text, ReadTextFile(file.absolute));
      SW_ASSIGN_OR_RETURN(Template parsed,
                          Template::Parse(file.relative, text, {.literal_refs_only = false}));
      SW_RETURN_IF_ERROR(registry.AddTemplate(package, std::move(parsed)));
    }
    return Status::Ok();
  }

  // model-paths, seed-paths, test-paths, snapshot-paths, macro-paths, analysis-paths.
  Status ReadResourcePaths(const YamlReader& yaml, const YAML::Node& root) {
    struct PathSetting {
      const char* key;
      std::vector<std::string>* target;
      const char* default_path;
    };
    for (const PathSetting& setting :
         {PathSetting{"model-paths", &model_paths_, "models"},
          PathSetting{"seed-paths", &seed_paths_, "seeds"},
          PathSetting{"test-paths", &test_paths_, "tests"},
          PathSetting{"snapshot-paths", &snapshot_paths_, "snapshots"},
          PathSetting{"macro-paths", &macro_paths_, "macros"},
          PathSetting{"analysis-paths", &analysis_paths_, "analyses"}}) {
      if (root[setting.key]) {
        SW_ASSIGN_OR_RETURN(*setting.target, yaml.StringList(root[setting.key], setting.key));
      } else {
        *setting.target = {setting.default_path};
      }
    }
    return Status::Ok();
  }

  Status ReadVars(const YamlReader& yaml, const YAML::Node& root) {
    const YAML::Node vars = root["vars"];
    if (!vars) return Status::Ok();
    if (!vars.IsMap() && !vars.IsNull()) return yaml.Error(vars, "vars must be a mapping");
    for (const auto& entry : vars) {
      std::string key = entry.first.as<std::string>();
      SW_ASSIGN_OR_RETURN(TemplateValue value, yaml.Value(entry.second, "var '" + key + "'"));
      files_.vars[key] = std::move(value);
    }
    return Status::Ok();
  }

  // models:, seeds:, snapshots:, tests: (or data_tests:) folder trees.
  Status ReadFolderConfigs(const YamlReader& yaml, const YAML::Node& root) {
    struct TreeSetting {
      const char* key;
      ResourceKind kind;
      FolderConfigTree* tree;
    };
    for (const TreeSetting& setting :
         {TreeSetting{"models", ResourceKind::kModel, &files_.model_folders},
          TreeSetting{"seeds", ResourceKind::kSeed, &files_.seed_folders},
          TreeSetting{"snapshots", ResourceKind::kSnapshot, &files_.snapshot_folders},
          TreeSetting{"tests", ResourceKind::kTest, &files_.test_folders},
          TreeSetting{"data_tests", ResourceKind::kTest, &files_.test_folders}}) {
      if (root[setting.key])
        SW_RETURN_IF_ERROR(yaml.FolderTree(root[setting.key], setting.kind, *setting.tree));
    }
    return Status::Ok();
  }

  Status AddSqlFile(const FoundFile& file, std::vector<SqlFile>& out) {
    SW_ASSIGN_OR_RETURN(std::string text, ReadTextFile(file.absolute));
    SW_ASSIGN_OR_RETURN(Template body, Template::Parse(file.relative, text));
    out.push_back({file.absolute.stem().string(), file.relative, file.folders, std::move(body)});
    return Status::Ok();
  }

  Status AddSnapshotFile(const FoundFile& file) {
    SW_ASSIGN_OR_RETURN(std::string text, ReadTextFile(file.absolute));
    SW_ASSIGN_OR_RETURN(Template parsed,
                        Template::Parse(file.relative, text, {.allow_snapshot_blocks = true}));
    for (const TemplateNode& node : parsed.nodes()) {
      if (node.kind == TemplateNode::Kind::kSnapshot) {
        files_.snapshots.push_back(
            {node.text, file.relative, file.folders, Template(file.relative, node.bodies[0])});
        continue;
      }
      bool blank = node.kind == TemplateNode::Kind::kText &&
                   std::all_of(node.text.begin(), node.text.end(),
                               [](unsigned char c) { return std::isspace(c); });
      if (!blank)
        return Status(ErrorCode::kInvalidInput,
                      fmt::format("{}:{}: only '{{% snapshot name %}}' blocks may appear at the "
                                  "top level of a snapshot file",
                                  file.relative, node.line));
    }
    return Status::Ok();
  }

  // A local package's name and model-paths (relative to the project).
  struct PackageFolders {
    std::string name;
    std::vector<std::string> model_paths;
  };

  ProjectFiles files_;
  std::vector<PackageFolders> packages_;
  std::vector<std::string> model_paths_;
  std::vector<std::string> seed_paths_;
  std::vector<std::string> test_paths_;
  std::vector<std::string> snapshot_paths_;
  std::vector<std::string> macro_paths_;
  std::vector<std::string> analysis_paths_;
};

}  // namespace

Result<ProjectFiles> LoadProjectFiles(const fs::path& root) {
  try {
    return ProjectLoader(root).Run();
  } catch (const YAML::Exception& error) {
    return Status(ErrorCode::kInvalidInput,
                  fmt::format("{} (line {}): {}", root.string(), error.mark.line + 1, error.msg));
  } catch (const fs::filesystem_error& error) {
    return Status(ErrorCode::kIO, error.what());
  }
}

}  // namespace silverwork::transform
