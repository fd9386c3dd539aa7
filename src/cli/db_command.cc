// silverwork db grant-reader ROLE: read access to the marts for a database
// role, for the BI tools (Superset, Metabase) that log in as one. Which
// relations: the project's marts and facts and its seeds (the lookup tables
// the marts' codes are named in), or what --select picks; never the raw
// tables, the staging and intermediate models or silverwork's own _sw_
// state. The grants survive rebuilds: a build that replaces a relation
// grants its replacement what the old one had (warehouse/grants.h).
#include <cstdio>

#include "cli/wiring.h"
#include "pipeline/warehouse_options.h"
#include "warehouse/grants.h"

namespace silverwork {
namespace {

// What a reader is given unless --select says otherwise.
const std::vector<std::string> kReaderSelection = {"path:models/marts", "path:models/facts",
                                                   "resource_type:seed"};

// "model.silverwork.mart_per_capita" -> "mart_per_capita".
std::string RelationOf(const std::string& unique_id) {
  return unique_id.substr(unique_id.rfind('.') + 1);
}

Status GrantReader(const Config& config, const std::string& role,
                   const std::vector<std::string>& selection) {
  transform::RunOptions options;
  options.select = selection.empty() ? kReaderSelection : selection;
  options.exclude = {"resource_type:test", "resource_type:source", "config.materialized:ephemeral"};
  SW_ASSIGN_OR_RETURN(auto nodes, ListTransformNodes(config, options));
  std::vector<std::string> relations;
  relations.reserve(nodes.size());
  for (const std::string& node : nodes) relations.push_back(RelationOf(node));
  if (relations.empty()) {
    return Status(ErrorCode::kInvalidInput, "the selection picks no model, seed or snapshot",
                  "check the --select values with: silverwork ls --select ...");
  }
  SW_ASSIGN_OR_RETURN(auto warehouse, OpenWarehouse(WarehouseOptionsFor(config)));
  SW_RETURN_IF_ERROR(GrantRead(*warehouse, role, relations));
  std::printf("granted %s read access to %zu relations:\n", role.c_str(), relations.size());
  for (const std::string& relation : relations) std::printf("  %s\n", relation.c_str());
  return Status::Ok();
}

}  // namespace

void AddDbCommands(CLI::App& app, CliContext& context) {
  CLI::App* db = app.add_subcommand("db", "the warehouse's database: access for other tools");
  db->require_subcommand(1);
  CLI::App* grant = db->add_subcommand(
      "grant-reader",
      "let a database role read the marts, facts and seeds, and nothing else (PostgreSQL)");
  auto role = std::make_shared<std::string>();
  auto selection = std::make_shared<std::vector<std::string>>();
  grant->add_option("role", *role, "the role BI tools log in as (it must exist)")->required();
  grant->add_option("--select,-s", *selection,
                    "relations to grant instead (the runner's selection syntax)");
  grant->callback([&context, role, selection] {
    auto config = StartCommand(context);
    if (!config) return;
    context.exit_code = ExitCodeFor(GrantReader(*config, *role, *selection));
  });
}

}  // namespace silverwork
