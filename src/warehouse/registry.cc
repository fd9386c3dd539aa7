#include <fmt/format.h>

#include <utility>

#include "warehouse/postgres/postgres_engine.h"
#include "warehouse/sqlite/sqlite_engine.h"
#include "warehouse/warehouse.h"

namespace silverwork {
namespace {

std::string JoinNames(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& name : names) {
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out;
}

}  // namespace

const WarehouseRegistry& WarehouseRegistry::Default() {
  // Built once, immutable afterwards: a table, not mutable global state.
  // One line per engine; an engine's folder says how it opens.
  static const WarehouseRegistry registry = [] {
    WarehouseRegistry built;
    RegisterSqliteEngine(built);
    RegisterPostgresEngine(built);
    return built;
  }();
  return registry;
}

void WarehouseRegistry::Register(std::string engine, WarehouseFactory factory) {
  for (auto& [name, existing] : factories_) {
    if (name == engine) {
      existing = std::move(factory);
      return;
    }
  }
  factories_.emplace_back(std::move(engine), std::move(factory));
}

Result<std::unique_ptr<Warehouse>> WarehouseRegistry::Open(const WarehouseOptions& options) const {
  for (const auto& [name, factory] : factories_) {
    if (name == options.engine) return factory(options);
  }
  const std::string known = JoinNames(Engines());
  return Status(
      ErrorCode::kInvalidInput,
      fmt::format("unknown warehouse engine \"{}\" (known engines: {})", options.engine, known),
      fmt::format("set engine in the [warehouse] section to one of: {}", known));
}

std::vector<std::string> WarehouseRegistry::Engines() const {
  std::vector<std::string> names;
  names.reserve(factories_.size());
  for (const auto& entry : factories_) names.push_back(entry.first);
  return names;
}

}  // namespace silverwork
