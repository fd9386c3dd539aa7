// Where a build stores the project's data catalog for serve to read, so that
// replicas need no files from the build's machine: one state table, one row
// per document. transform/runner/catalog_store.h writes it, serve/catalog.h
// reads it. Constants only; thread-safe.
#pragma once

#include <string_view>

namespace silverwork {

inline constexpr std::string_view kCatalogTable = "_sw_catalog";
inline constexpr std::string_view kCatalogDocumentName = "project";

}  // namespace silverwork
