// The data catalog's API over the fixture warehouse, which the repository's
// SQL project built (and so stored its catalog): every answer is checked
// against a source of its own — the project's files for descriptions, SQL
// and lineage, the warehouse for row counts, types and test results.
#include <yaml-cpp/yaml.h>

#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "serve/serve_harness.h"

namespace silverwork::serve::testing {
namespace {

using CatalogApi = ServerTest;
using Names = std::set<std::string>;

const fs::path kProjectDir = SILVERWORK_SOURCE_DIR;

std::string FileText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << path;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The names ref()/source() calls in `sql` name (a source as its table).
Names ReferencedNames(const std::string& sql) {
  static const std::regex call(R"((ref|source)\(\s*'([^']+)'(?:\s*,\s*'([^']+)')?\s*\))");
  Names names;
  for (std::sregex_iterator match(sql.begin(), sql.end(), call), end; match != end; ++match)
    names.insert((*match)[3].matched ? (*match)[3].str() : (*match)[2].str());
  return names;
}

// Every model and snapshot file whose SQL calls ref('<name>').
Names FilesReferencing(const std::string& name) {
  Names readers;
  for (const char* folder : {"models", "snapshots"}) {
    for (const auto& entry : fs::recursive_directory_iterator(kProjectDir / folder)) {
      if (entry.path().extension() != ".sql") continue;
      if (ReferencedNames(FileText(entry.path())).contains(name))
        readers.insert(entry.path().stem().string());
    }
  }
  return readers;
}

size_t FilesIn(const std::string& folder, const std::string& extension) {
  size_t count = 0;
  for (const auto& entry : fs::recursive_directory_iterator(kProjectDir / folder))
    count += entry.path().extension() == extension;
  return count;
}

Names NamesOf(const json& nodes, int distance_sign = 0) {
  Names names;
  for (const json& node : nodes) {
    const int distance = node.value("distance", 0);
    if (distance_sign == 0 || (distance_sign < 0 ? distance < 0 : distance > 0))
      names.insert(node["name"].get<std::string>());
  }
  return names;
}

TEST_F(CatalogApi, ListsEveryModelSourceSeedAndSnapshotOfTheProject) {
  json all = Data("/api/v1/catalog");
  EXPECT_EQ(all["project"], "silverwork");
  ASSERT_GT(all["total"].get<int>(), 0);
  EXPECT_EQ(all["total"], all["nodes"].size());
  EXPECT_EQ(Data("/api/v1/catalog?kind=model")["total"], FilesIn("models", ".sql"));
  EXPECT_EQ(Data("/api/v1/catalog?kind=seed")["total"], FilesIn("seeds", ".csv"));
  const YAML::Node sources = YAML::LoadFile((kProjectDir / "models/sources.yml").string());
  size_t source_tables = 0;
  for (const auto& source : sources["sources"]) source_tables += source["tables"].size();
  EXPECT_EQ(Data("/api/v1/catalog?kind=source")["total"], source_tables);
  json snapshots = Data("/api/v1/catalog?kind=snapshot");
  ASSERT_EQ(snapshots["total"], 1);
  EXPECT_EQ(snapshots["nodes"][0]["name"], "snap_postings");
  for (const json& node : all["nodes"]) EXPECT_NE(node["kind"], "test") << node;
}

TEST_F(CatalogApi, SearchMatchesNamesDescriptionsAndColumns) {
  json by_column = Data("/api/v1/catalog?q=HEADCOUNT");
  ASSERT_GT(by_column["total"].get<int>(), 0);
  bool found_facts = false;
  for (const json& node : by_column["nodes"]) {
    if (node["name"] == "fct_job_postings") {
      found_facts = true;
      EXPECT_EQ(node["matched_columns"], json::array({"headcount"}));
    }
  }
  EXPECT_TRUE(found_facts) << by_column;
  // Every relation that has the column (the warehouse says which), and every
  // model whose YAML documents it (ephemeral ones are in no warehouse).
  const std::vector<std::string> relations =
      SqlColumn(EngineFromEnvironment() == "sqlite"
                    ? "SELECT m.name FROM sqlite_master m, pragma_table_info(m.name) c "
                      "WHERE m.type IN ('table', 'view') AND c.name = 'headcount' ORDER BY m.name"
                    : "SELECT table_name FROM information_schema.columns WHERE table_schema = "
                      "current_schema() AND column_name = 'headcount' ORDER BY table_name");
  ASSERT_FALSE(relations.empty());
  Names found;
  for (const json& node : by_column["nodes"])
    for (const json& column : node["matched_columns"])
      if (column == "headcount") found.insert(node["name"].get<std::string>());
  Names expected(relations.begin(), relations.end());
  for (const auto& entry : fs::recursive_directory_iterator(kProjectDir / "models")) {
    if (entry.path().extension() != ".yml") continue;
    const YAML::Node properties = YAML::LoadFile(entry.path().string());
    for (const auto& model : properties["models"])
      for (const auto& column : model["columns"])
        if (column["name"].as<std::string>() == "headcount")
          expected.insert(model["name"].as<std::string>());
  }
  EXPECT_EQ(found, expected);
  const YAML::Node facts = YAML::LoadFile((kProjectDir / "models/facts/_facts.yml").string());
  const std::string description = facts["models"][1]["description"].as<std::string>();
  json by_description =
      Data("/api/v1/catalog?q=" + httplib::detail::encode_query_param(description));
  ASSERT_EQ(by_description["total"], 1) << by_description;
  EXPECT_EQ(by_description["nodes"][0]["name"], facts["models"][1]["name"].as<std::string>());

  json seeds = Data("/api/v1/catalog?q=province&kind=seed&limit=1");
  EXPECT_EQ(seeds["nodes"].size(), 1u);
  EXPECT_GE(seeds["total"].get<int>(), 2);  // provinces, population_by_province
  EXPECT_EQ(Data("/api/v1/catalog?q=no-such-name-anywhere")["total"], 0);
}

TEST_F(CatalogApi, ANodeHasItsDescriptionColumnsRowCountAndSql) {
  json node = Data("/api/v1/catalog/nodes/model.silverwork.fct_projects")["node"];
  const YAML::Node facts = YAML::LoadFile((kProjectDir / "models/facts/_facts.yml").string());
  EXPECT_EQ(node["description"], facts["models"][1]["description"].as<std::string>());
  EXPECT_EQ(node["materialized"], "incremental");
  EXPECT_EQ(node["path"], "models/facts/fct_projects.sql");
  EXPECT_EQ(node["row_count"], Sql("SELECT count(*) FROM fct_projects"));
  EXPECT_EQ(node["raw_sql"], FileText(kProjectDir / "models/facts/fct_projects.sql"));
  const std::string compiled = node["compiled_sql"].get<std::string>();
  EXPECT_NE(compiled.find("\"int_projects_latest\""), std::string::npos) << compiled;
  EXPECT_EQ(compiled.find("{{"), std::string::npos) << compiled;
  // The warehouse's columns, in its order, with its types, as its catalog
  // declares them.
  const bool sqlite = EngineFromEnvironment() == "sqlite";
  const std::vector<std::string> names = SqlColumn(
      sqlite ? "SELECT name FROM pragma_table_info('fct_projects') ORDER BY cid"
             : "SELECT column_name FROM information_schema.columns WHERE table_schema = "
               "current_schema() AND table_name = 'fct_projects' ORDER BY ordinal_position");
  ASSERT_FALSE(names.empty());
  ASSERT_EQ(node["columns"].size(), names.size());
  std::set<std::string> catalog_names;
  for (const json& column : node["columns"]) catalog_names.insert(column["name"]);
  EXPECT_EQ(catalog_names, std::set<std::string>(names.begin(), names.end()));
  // SQLite: INT... integer, REAL/FLOA/DOUB real, else text. PostgreSQL: the
  // integer types, then the floating-point and numeric ones.
  const std::vector<std::string> types = SqlColumn(
      sqlite ? "SELECT CASE WHEN upper(type) LIKE '%INT%' THEN 'integer' "
               "WHEN upper(type) LIKE '%REAL%' OR upper(type) LIKE '%FLOA%' OR "
               "upper(type) LIKE '%DOUB%' THEN 'real' ELSE 'text' END "
               "FROM pragma_table_info('fct_projects') ORDER BY cid"
             : "SELECT CASE WHEN data_type IN ('bigint', 'integer', 'smallint') THEN 'integer' "
               "WHEN data_type IN ('double precision', 'real', 'numeric') THEN 'real' "
               "ELSE 'text' END FROM information_schema.columns WHERE table_schema = "
               "current_schema() AND table_name = 'fct_projects' ORDER BY ordinal_position");
  std::map<std::string, std::string> catalog_types;
  for (const json& column : node["columns"]) catalog_types[column["name"]] = column["type"];
  for (size_t index = 0; index < names.size(); ++index)
    EXPECT_EQ(catalog_types[names[index]], types.at(index)) << names[index];
  EXPECT_GT(std::count(types.begin(), types.end(), "integer"), 0);  // non-empty guard
}

TEST_F(CatalogApi, TestsCarryTheirLastResultFromTheAuditTable) {
  json node = Data("/api/v1/catalog/nodes/model.silverwork.fct_projects")["node"];
  ASSERT_FALSE(node["tests"].empty());
  // One test per entry of the YAML's `tests:` lists for the model's columns.
  const YAML::Node facts = YAML::LoadFile((kProjectDir / "models/facts/_facts.yml").string());
  size_t declared = 0;
  for (const auto& column : facts["models"][1]["columns"])
    if (column["tests"]) declared += column["tests"].size();
  EXPECT_GE(node["tests"].size(), declared);
  for (const json& test : node["tests"]) {
    const std::string id = test["unique_id"];
    const json& result = test["last_result"];
    ASSERT_TRUE(result.is_object()) << test;
    EXPECT_EQ(result["status"], SqlColumn("SELECT status FROM _sw_test_failures WHERE test_id = '" +
                                          id + "' ORDER BY executed_at DESC LIMIT 1")
                                    .at(0));
    EXPECT_EQ(result["failures"], Sql("SELECT failures FROM _sw_test_failures WHERE test_id = ? "
                                      "ORDER BY executed_at DESC LIMIT 1",
                                      {id}));
    EXPECT_EQ(
        result["executed_at"],
        SqlColumn("SELECT max(executed_at) FROM _sw_test_failures WHERE test_id = '" + id + "'")
            .at(0));
  }
  json test = Data("/api/v1/catalog/nodes/" + node["tests"][0]["unique_id"].get<std::string>());
  EXPECT_EQ(test["node"]["kind"], "test");
  EXPECT_EQ(test["node"]["tested"], json::array({"model.silverwork.fct_projects"}));
  EXPECT_FALSE(test["node"]["compiled_sql"].get<std::string>().empty());
}

TEST_F(CatalogApi, LineageFollowsTheRefsInTheSqlFiles) {
  const Names upstream =
      ReferencedNames(FileText(kProjectDir / "models/marts/mart_jobs_vs_postings.sql"));
  ASSERT_FALSE(upstream.empty());
  json one = Data("/api/v1/catalog/nodes/model.silverwork.mart_jobs_vs_postings?depth=1");
  EXPECT_EQ(NamesOf(one["lineage"]["nodes"], -1), upstream);
  EXPECT_EQ(NamesOf(one["lineage"]["nodes"], +1), FilesReferencing("mart_jobs_vs_postings"));
  EXPECT_EQ(one["lineage"]["nodes"][0]["distance"], 0);
  EXPECT_EQ(one["lineage"]["nodes"][0]["name"], "mart_jobs_vs_postings");
  // Edges join the nodes shown: the node's own, and those between its neighbours.
  Names shown = NamesOf(one["lineage"]["nodes"]);
  size_t own_edges = 0;
  for (const json& edge : one["lineage"]["edges"]) {
    const std::string from = edge["from"], to = edge["to"];
    EXPECT_TRUE(shown.contains(from.substr(from.rfind('.') + 1))) << edge;
    EXPECT_TRUE(shown.contains(to.substr(to.rfind('.') + 1))) << edge;
    own_edges += from == "model.silverwork.mart_jobs_vs_postings" ||
                 to == "model.silverwork.mart_jobs_vs_postings";
  }
  EXPECT_EQ(own_edges, shown.size() - 1);

  json up = Data(
      "/api/v1/catalog/nodes/model.silverwork.mart_jobs_vs_postings?depth=2&"
      "direction=upstream");
  EXPECT_EQ(NamesOf(up["lineage"]["nodes"], +1), Names{});
  Names two_steps = upstream;
  for (const std::string& parent : upstream) {
    for (const auto& entry : fs::recursive_directory_iterator(kProjectDir / "models"))
      if (entry.path().stem() == parent && entry.path().extension() == ".sql")
        two_steps.merge(ReferencedNames(FileText(entry.path())));
  }
  EXPECT_EQ(NamesOf(up["lineage"]["nodes"], -1), two_steps);

  json alone = Data("/api/v1/catalog/nodes/seed.silverwork.provinces?depth=0");
  EXPECT_EQ(alone["lineage"]["nodes"].size(), 1u);
  EXPECT_TRUE(alone["lineage"]["edges"].empty());
  EXPECT_EQ(alone["node"]["row_count"], Sql("SELECT count(*) FROM provinces"));
  EXPECT_TRUE(alone["node"]["raw_sql"].is_null());
}

TEST_F(CatalogApi, UnknownNodesAndBadParametersAnswerWithTheErrorShape) {
  json missing = GetJson("/api/v1/catalog/nodes/model.silverwork.nope", 404);
  EXPECT_EQ(missing["error"]["code"], "not_found");
  EXPECT_EQ(missing["error"]["message"], "no node 'model.silverwork.nope' in the data catalog");
  EXPECT_EQ(missing["error"]["hint"], "find node ids with GET /api/v1/catalog?q=<name>");
  for (const char* path :
       {"/api/v1/catalog/nodes/model.silverwork.fct_projects?depth=11",
        "/api/v1/catalog/nodes/model.silverwork.fct_projects?direction=sideways",
        "/api/v1/catalog/nodes/model.silverwork.fct_projects?q=x", "/api/v1/catalog?kind=test",
        "/api/v1/catalog?limit=0", "/api/v1/catalog?q=", "/api/v1/catalog?depth=1"}) {
    json bad = GetJson(path, 400);
    ASSERT_TRUE(bad.contains("error")) << path;
    EXPECT_EQ(bad["error"]["code"], "invalid_parameter") << path;
    EXPECT_FALSE(bad["error"]["parameter"].get<std::string>().empty()) << path;
  }
  EXPECT_EQ(GetJson("/api/v1/catalog?kind=table", 400)["error"]["hint"],
            "use one of: model, source, seed, snapshot");
}

}  // namespace
}  // namespace silverwork::serve::testing
