// The data catalog's endpoints, answered from the serving snapshot's
// DataCatalog (catalog.h):
//
//   GET /api/v1/catalog?q=&kind=&limit=          models, sources, seeds and
//       snapshots whose name, description, path or a column's name or
//       description holds `q`; `kind` one of those four; at most `limit`
//   GET /api/v1/catalog/nodes/{unique_id}?depth=&direction=
//       one node: description, columns, row count, SQL, its tests with their
//       last result, and its lineage `depth` edges (0..10, default 2)
//       upstream, downstream or both (`direction`, default both)
//
// An unknown id answers 404; a bad parameter 400 naming it (docs/serve.md).
//
// Stateless functions; thread-safe over an immutable catalog.
#pragma once

#include <httplib.h>

#include "serve/catalog.h"

namespace silverwork::serve {

inline constexpr int kMaxLineageDepth = 10;
inline constexpr int kDefaultLineageDepth = 2;
inline constexpr int64_t kMaxCatalogResults = 1000;
inline constexpr int64_t kDefaultCatalogResults = 200;

void ServeCatalogSearch(const DataCatalog& catalog, const httplib::Request& req,
                        httplib::Response& res);
// The node's id is the route's first group.
void ServeCatalogNode(const DataCatalog& catalog, const httplib::Request& req,
                      httplib::Response& res);

}  // namespace silverwork::serve
