// The small table the warehouse tests write and read: one column of each
// type, keyed by an integer id.
#pragma once

#include <string>
#include <vector>

#include "warehouse/warehouse.h"

namespace silverwork {

inline const TableSpec kPeople = {.name = "people",
                                  .columns = {{.name = "id", .type = ColumnType::kInteger},
                                              {.name = "name"},
                                              {.name = "score", .type = ColumnType::kReal},
                                              {.name = "note"}},
                                  .primary_key = {"id"}};
inline const std::vector<std::string> kPeopleColumns = {"id", "name", "score", "note"};
inline const std::vector<std::string> kId = {"id"};

}  // namespace silverwork
