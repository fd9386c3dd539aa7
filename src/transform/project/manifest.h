// Manifest: the project's nodes with their configs resolved and the
// dependency graph between them.
//
// Built from ProjectFiles and the vars of one invocation (config() arguments
// may use var()). Dependencies come from the ref() and source() calls in the
// parsed templates — without rendering them — and from the tests declared in
// properties files. Building fails on a ref to a missing node (naming the
// closest existing name), on a dependency cycle (naming the path) and on
// invalid configs.
//
// Node order: sources, seeds, snapshots, models, singular tests, generic
// tests, each in file order; `order()` is a topological order in which each
// test comes right after the last node it tests, so a failing test is known
// before anything downstream runs.
//
// Building runs in steps (manifest_builder.cc): configs are merged and typed
// by node_config.h, cycles and the order come from dependency_graph.h.
//
// A Manifest points into the ProjectFiles it was built from, which must
// outlive it. Immutable after Build; thread-compatible.
#pragma once

#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "transform/project/node_config.h"
#include "transform/project/project_files.h"
#include "warehouse/warehouse.h"

namespace silverwork::transform {

// A generic test with its target resolved.
struct GenericTest {
  std::string kind;  // unique, not_null, accepted_values, relationships
  std::string column;
  std::vector<TemplateValue> values;
  bool quote_values = true;
  int to_node = -1;  // relationships: the parent node
  std::string field;
};

struct Node {
  int index = 0;
  ResourceKind kind = ResourceKind::kModel;
  std::string unique_id;  // model.<package>.<name>, source.<project>.<source>.<table>, ...
  // The project, or the local package whose model (or test of one) it is.
  std::string package;
  std::string name;       // models/seeds/snapshots/tests: name; sources: "<source>.<table>"
  std::string path;       // defining file, relative to the project root
  std::string description;
  std::vector<ColumnProperties> columns;
  NodeConfig config;

  const Template* body = nullptr;  // models, snapshots, singular tests
  std::optional<GenericTest> generic_test;
  // Sources.
  const SourceTableProperties* source_table = nullptr;
  std::string source_name;

  // Relation in the warehouse (models, seeds, snapshots: the name; sources:
  // the identifier) and, for sources with a schema, its schema.
  std::string relation;
  std::string schema;

  std::vector<int> parents;   // what this node reads (sorted, unique)
  std::vector<int> children;  // what reads this node, tests included
  // Tests: the nodes whose downstream is skipped when the test fails.
  std::vector<int> tested;
};

// A model inlined as a CTE rather than built.
inline bool IsEphemeral(const Node& node) {
  return node.kind == ResourceKind::kModel &&
         node.config.materialized == Materialization::kEphemeral;
}

class Manifest {
 public:
  // REQUIRES: `files` outlives the manifest.
  static Result<Manifest> Build(const ProjectFiles& files, const VarMap& vars);

  const std::string& project_name() const { return project_name_; }
  // The project's and its packages' macros; null when it has none.
  const MacroRegistry* macros() const { return macros_; }
  const std::vector<Node>& nodes() const { return nodes_; }
  const Node& node(int index) const { return nodes_[static_cast<size_t>(index)]; }
  // Topological order (see the file comment).
  std::span<const int> order() const { return order_; }

  // The model, seed or snapshot named `name`, or -1.
  int FindRef(std::string_view name) const;
  // The source table, or -1.
  int FindSource(std::string_view source, std::string_view table) const;
  // The node with this unique id, or -1.
  int FindUniqueId(std::string_view unique_id) const;

 private:
  std::string project_name_;
  const MacroRegistry* macros_ = nullptr;
  std::vector<Node> nodes_;
  std::vector<int> order_;
  std::map<std::string, int, std::less<>> refs_;
  std::map<std::string, int, std::less<>> sources_;  // "source.table"
  std::map<std::string, int, std::less<>> unique_ids_;

  friend class ManifestBuilder;
};

}  // namespace silverwork::transform
