#include "warehouse/session_settings.h"

#include <spdlog/spdlog.h>

namespace silverwork {

Status ApplySessionSettings(Warehouse& warehouse, Workload workload) {
  const EngineTraits& traits = warehouse.traits();
  for (const EngineTraits::SessionSetting& setting : traits.SessionSettings(workload))
    SW_RETURN_IF_ERROR(warehouse.Execute(traits.WriteSettingSql(setting.name, setting.value)));
  return Status::Ok();
}

TunedSession::TunedSession(Warehouse& warehouse, Workload workload) : warehouse_(warehouse) {
  const EngineTraits& traits = warehouse_.traits();
  for (const EngineTraits::SessionSetting& setting : traits.SessionSettings(workload)) {
    auto current = warehouse_.QueryAll(traits.ReadSettingSql(setting.name));
    if (!current.ok() || current->rows.empty() || current->rows.front().empty()) continue;
    std::string before = ValueToString(current->rows.front().front());
    if (before == setting.value) continue;
    Status status = warehouse_.Execute(traits.WriteSettingSql(setting.name, setting.value));
    if (!status.ok()) {
      spdlog::warn("cannot set {} for the build: {}", setting.name, status.ToString());
      continue;
    }
    previous_.emplace_back(setting.name, std::move(before));
  }
}

void TunedSession::Restore() {
  const EngineTraits& traits = warehouse_.traits();
  for (const auto& [name, value] : previous_) {
    Status status = warehouse_.Execute(traits.WriteSettingSql(name, value));
    if (!status.ok()) spdlog::warn("cannot restore {}: {}", name, status.ToString());
  }
  previous_.clear();
}

}  // namespace silverwork
