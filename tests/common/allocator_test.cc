// The process's allocator as common/allocator.h sees it. Test binaries are
// not linked with jemalloc (only the silverwork executable is, with
// SILVERWORK_JEMALLOC); Binary.AllocatesThroughTheAllocatorTheBuildChose
// checks the executable.
#include "common/allocator.h"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

namespace silverwork {
namespace {

TEST(AllocatorTest, TestBinariesRunOnGlibcsMalloc) {
  EXPECT_EQ(ProcessAllocator(), Allocator::kGlibc)
      << "a test binary found jemalloc's mallctl: it is linked with jemalloc or run under "
         "LD_PRELOAD; only the silverwork executable should link it";
  EXPECT_EQ(AllocatorName(Allocator::kGlibc), "glibc");
  EXPECT_EQ(AllocatorName(Allocator::kJemalloc), "jemalloc");
}

TEST(AllocatorTest, ReleasingFreeMemoryWorksOnTheProcessAllocator) {
  {
    constexpr int kBlocks = 10'000;
    std::vector<std::unique_ptr<char[]>> temporaries;
    temporaries.reserve(kBlocks);
    for (int block = 0; block < kBlocks; ++block)
      temporaries.push_back(std::make_unique<char[]>(1000));
  }
  EXPECT_EQ(ReleaseFreeMemory(), ProcessAllocator());
  // The heap still works after the release.
  auto after = std::make_unique<char[]>(1 << 20);
  after[0] = 'x';
  EXPECT_EQ(after[0], 'x');
}

}  // namespace
}  // namespace silverwork
