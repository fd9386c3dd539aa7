// WrittenIds: an id is "new" exactly once, across the table's growth.
#include "ingest/written_ids.h"

#include <gtest/gtest.h>

#include <string>

namespace silverwork {
namespace {

TEST(WrittenIdsTest, AnIdIsNewOnlyTheFirstTimeAcrossGrowth) {
  WrittenIds ids;
  constexpr int kIds = 100'000;  // grows the table from 1,024 slots many times
  for (int index = 0; index < kIds; ++index)
    ASSERT_TRUE(ids.Insert("K" + std::to_string(index))) << index;
  EXPECT_EQ(ids.size(), static_cast<size_t>(kIds));
  EXPECT_LE(ids.bytes(), static_cast<size_t>(kIds) * 4 * sizeof(uint64_t));
  for (int index = 0; index < kIds; ++index)
    ASSERT_FALSE(ids.Insert("K" + std::to_string(index))) << index;
  EXPECT_TRUE(ids.Insert(""));
  EXPECT_FALSE(ids.Insert(""));
  ids.Clear();
  EXPECT_EQ(ids.size(), 0u);
  EXPECT_TRUE(ids.Insert("K0"));
}

}  // namespace
}  // namespace silverwork
