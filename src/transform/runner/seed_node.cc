// Seeds: the CSV read and typed, left alone when neither it nor its column
// types changed since it was loaded, else loaded.
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "transform/materializations/seed.h"
#include "transform/runner/node_runners.h"

namespace silverwork::transform {

void RunSeed(RunContext& context, const Node& node, NodeResult& result, Worker& worker) {
  ChangeTracker* changes = context.changes();
  std::string inputs;
  auto typed = context.Timed(result.compile_seconds, [&]() -> Result<TypedSeed> {
    std::ifstream in(context.files().root / node.path, std::ios::binary);
    if (!in) return Status(ErrorCode::kIO, "cannot read the seed file");
    std::ostringstream text;
    text << in.rdbuf();
    if (changes) {
      nlohmann::json types = nlohmann::json::object();
      for (const auto& [column, type] : node.config.column_types)
        types[column] = static_cast<int>(type);
      inputs = Fingerprint({text.str(), types.dump()});
    }
    SW_ASSIGN_OR_RETURN(CsvTable table, ParseCsv(text.str(), node.path));
    return TypeSeed(table, node.config.column_types, node.path);
  });
  if (!typed.ok()) return Fail(node, result, typed.status());
  if (changes) {
    auto up_to_date = changes->UpToDate(node, inputs, worker);
    if (!up_to_date.ok()) return Fail(node, result, up_to_date.status());
    if (*up_to_date) return changes->MarkUpToDate(node, result);
    if (Status forgotten = changes->Forget(node, worker); !forgotten.ok())
      return Fail(node, result, forgotten);
  }
  auto loaded = context.Timed(result.execute_seconds, [&] {
    return worker.materializer.LoadTable(node.relation, typed->columns, typed->rows);
  });
  Finish(node, result, loaded);
  if (loaded.ok() && changes)
    changes->RecordBuilt(node, inputs, std::nullopt, *loaded, result, worker);
}

}  // namespace silverwork::transform
