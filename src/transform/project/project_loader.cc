#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "transform/project/project_files.h"
#include "transform/project/properties_reader.h"
#include "transform/project/yaml_reader.h"

namespace silverwork::transform {
namespace fs = std::filesystem;
namespace {

constexpr std::string_view kProjectFileName = "silverwork_project.yml";

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

    std::vector<std::string> all_paths;
    for (const auto* paths : {&model_paths_, &seed_paths_, &test_paths_, &snapshot_paths_})
      all_paths.insert(all_paths.end(), paths->begin(), paths->end());
    constexpr std::string_view kYaml[] = {".yml", ".yaml"};
    for (FoundFile& file : FindFiles(files_.root, all_paths, kYaml))
      SW_RETURN_IF_ERROR(ReadPropertiesFile(file.absolute, file.relative, files_));
    return std::move(files_);
  }

 private:
  // silverwork_project.yml: the project's name, resource paths, vars and
  // per-folder config defaults.
  Status ReadProjectFile() {
    fs::path file = files_.root / kProjectFileName;
    std::error_code error;
    if (!fs::exists(file, error))
      return Status(ErrorCode::kNotFound,
                    fmt::format("no {} in {}", kProjectFileName, files_.root.string()),
                    "run the command from the project folder or pass the folder holding "
                    "silverwork_project.yml");
    YamlReader yaml{std::string(kProjectFileName)};
    SW_ASSIGN_OR_RETURN(YAML::Node root, ReadYamlFile(file, yaml.path()));
    static const std::vector<std::string> kKeys{
        "name",       "version",    "config-version", "profile",   "model-paths",
        "seed-paths", "test-paths", "snapshot-paths", "vars",      "models",
        "seeds",      "snapshots",  "tests",          "data_tests"};
    SW_RETURN_IF_ERROR(yaml.CheckKeys(root, kKeys, kProjectFileName));
    if (!root["name"]) return yaml.Error(root, "the project needs a 'name'");
    SW_ASSIGN_OR_RETURN(files_.name, yaml.String(root["name"], "name"));
    if (!IsIdentifier(files_.name))
      return yaml.Error(root["name"], fmt::format("project name '{}' must be letters, digits and _",
                                                  files_.name));
    SW_RETURN_IF_ERROR(ReadResourcePaths(yaml, root));
    SW_RETURN_IF_ERROR(ReadVars(yaml, root));
    return ReadFolderConfigs(yaml, root);
  }

  // model-paths, seed-paths, test-paths, snapshot-paths.
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
          PathSetting{"snapshot-paths", &snapshot_paths_, "snapshots"}}) {
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

  ProjectFiles files_;
  std::vector<std::string> model_paths_;
  std::vector<std::string> seed_paths_;
  std::vector<std::string> test_paths_;
  std::vector<std::string> snapshot_paths_;
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
