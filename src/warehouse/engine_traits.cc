#include "warehouse/engine_traits.h"

#include <fmt/format.h>

namespace silverwork {
namespace {

// Replaces $1..$9 in `pattern` with the arguments.
std::string Substitute(std::string_view pattern, std::span<const std::string> args) {
  std::string out;
  out.reserve(pattern.size() + 32);
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '$' && i + 1 < pattern.size() && pattern[i + 1] >= '1' &&
        pattern[i + 1] <= '9') {
      size_t index = static_cast<size_t>(pattern[i + 1] - '1');
      if (index < args.size()) out += args[index];
      ++i;
    } else {
      out += pattern[i];
    }
  }
  return out;
}

}  // namespace

std::string EngineTraits::Differs(std::string_view a, std::string_view b) const {
  const std::string operands[] = {std::string(a), std::string(b)};
  return Substitute(spellings_.differs_pattern, operands);
}

std::string EngineTraits::StageSelectSql(std::string_view quoted_name,
                                         std::string_view select_sql) const {
  const std::string args[] = {std::string(quoted_name), std::string(select_sql)};
  return Substitute(spellings_.stage_select_pattern, args);
}

std::string EngineTraits::StagedRelationSql(std::string_view quoted_name) const {
  const std::string args[] = {std::string(quoted_name)};
  return Substitute(spellings_.staged_relation_pattern, args);
}

std::string EngineTraits::CopyFromStageSql(std::string_view quoted_table,
                                           std::string_view staged) const {
  const std::string args[] = {std::string(quoted_table), std::string(staged)};
  return Substitute(spellings_.copy_from_stage_pattern, args);
}

std::string EngineTraits::AnalyzeTableSql(std::string_view quoted_table) const {
  const std::string args[] = {std::string(quoted_table)};
  return Substitute(spellings_.analyze_table_pattern, args);
}

std::span<const EngineTraits::SessionSetting> EngineTraits::SessionSettings(
    Workload workload) const {
  switch (workload) {
    case Workload::kBulkBuild:
      return spellings_.bulk_build_settings;
    case Workload::kSmallReads:
      return spellings_.small_reads_settings;
  }
  return {};
}

std::string EngineTraits::ReadSettingSql(std::string_view name) const {
  const std::string args[] = {std::string(name)};
  return Substitute(spellings_.read_setting_pattern, args);
}

std::string EngineTraits::ImportSnapshotSql(std::string_view snapshot_id) const {
  const std::string args[] = {dialect().QuoteString(snapshot_id)};
  return Substitute(spellings_.import_snapshot_pattern, args);
}

std::string EngineTraits::WriteSettingSql(std::string_view name, std::string_view value) const {
  const std::string args[] = {std::string(name), std::string(value)};
  return Substitute(spellings_.write_setting_pattern, args);
}

}  // namespace silverwork
