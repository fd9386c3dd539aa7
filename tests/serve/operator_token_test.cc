// The operator token: only "Bearer <the token>" passes; the comparison's
// time does not depend on how much of the token a guess gets right.
#include "serve/operator_token.h"

#include <gtest/gtest.h>

namespace silverwork::serve {
namespace {

TEST(OperatorToken, ComparesTheWholeBearerTokenOnly) {
  const OperatorToken token("s3cret-token-0123456789");
  EXPECT_EQ(token.Check("Bearer s3cret-token-0123456789"), TokenCheck::kAllowed);
  EXPECT_EQ(token.Check("bearer  s3cret-token-0123456789 "), TokenCheck::kAllowed);
  EXPECT_EQ(token.Check("Bearer s3cret-token-012345678"), TokenCheck::kWrong);
  EXPECT_EQ(token.Check("Bearer s3cret-token-01234567890"), TokenCheck::kWrong);
  EXPECT_EQ(token.Check("Bearer S3cret-token-0123456789"), TokenCheck::kWrong);
  EXPECT_EQ(token.Check("Basic s3cret-token-0123456789"), TokenCheck::kMissing);
  EXPECT_EQ(token.Check("Bearer "), TokenCheck::kMissing);
  EXPECT_EQ(token.Check(""), TokenCheck::kMissing);
  EXPECT_EQ(OperatorToken("").Check("Bearer anything"), TokenCheck::kNotConfigured);
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abcabc", "abc")) << "a repetition of the secret";
  EXPECT_FALSE(ConstantTimeEquals("", "abc"));
}

}  // namespace
}  // namespace silverwork::serve
