#include <gtest/gtest.h>

#include "common/log.h"

int main(int argc, char** argv) {
  testing::InitGoogleTest(&argc, argv);
  // Tests log warnings and errors only, so failures stay readable.
  silverwork::InitLogging({.level = silverwork::LogLevel::kWarn});
  return RUN_ALL_TESTS();
}
