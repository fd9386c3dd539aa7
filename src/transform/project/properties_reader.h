// Properties files: the .yml files under a project's resource paths that
// declare sources (tables, freshness, loaded_at_field) and describe models,
// seeds and snapshots (descriptions, configs, columns and their generic
// tests). Unknown keys are errors naming the file, line and closest key.
// Pure function over its arguments; thread-compatible.
#pragma once

#include <filesystem>
#include <string>

#include "common/status.h"
#include "transform/project/project_files.h"

namespace silverwork::transform {

// Reads the properties file `file` (`relative` to the project, for errors)
// and appends what it declares to `files`.
Status ReadPropertiesFile(const std::filesystem::path& file, const std::string& relative,
                          ProjectFiles& files);

}  // namespace silverwork::transform
