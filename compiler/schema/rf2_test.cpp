#include <gtest/gtest.h>
TEST(Rf2Placeholder, Builds) {
  SUCCEED();
}
