// Splitting URLs for a connection, and resolving redirects' Location.
#include "http/url_parts.h"

#include <gtest/gtest.h>

namespace silverwork {
namespace {

std::string Split(std::string_view url) {
  std::optional<UrlParts> parts = SplitHttpUrl(url);
  if (!parts) return "refused";
  return parts->Origin() + " " + parts->target;
}

TEST(SplitHttpUrl, FindsOriginAndTarget) {
  EXPECT_EQ(Split("http://apis.data.go.kr/B552474/SenuriService/getJobList?pageNo=1"),
            "http://apis.data.go.kr:80 /B552474/SenuriService/getJobList?pageNo=1");
  EXPECT_EQ(Split("HTTPS://API.odcloud.kr"), "https://api.odcloud.kr:443 /");
  EXPECT_EQ(Split("http://127.0.0.1:8089?x=1#frag"), "http://127.0.0.1:8089 /?x=1");
  EXPECT_EQ(Split("http://[::1]:8089/p"), "http://[::1]:8089 /p");
  EXPECT_EQ(Split("https://[::1]/p"), "https://[::1]:443 /p");
}

TEST(SplitHttpUrl, RefusesWhatItCannotConnectTo) {
  for (std::string_view url :
       {"ftp://host/x", "host/x", "http://", "http:///x", "http://u:p@host/", "http://host:0/",
        "http://host:65536/", "http://host:8o/", "http://[::1/", "http://[::1]x/",
        "http://host/a b", "http://host/\xea\xb2\xbd"}) {
    EXPECT_EQ(Split(url), "refused") << url;
  }
}

TEST(ResolveLocation, AgainstTheRequestedUrl) {
  UrlParts base = *SplitHttpUrl("https://api.odcloud.kr/api/15050148/v1/uddi:abc?page=2");
  EXPECT_EQ(ResolveLocation(base, "http://elsewhere/x"), "http://elsewhere/x");
  EXPECT_EQ(ResolveLocation(base, "//mirror.example/y"), "https://mirror.example/y");
  EXPECT_EQ(ResolveLocation(base, "/v2/z?q=1"), "https://api.odcloud.kr:443/v2/z?q=1");
  EXPECT_EQ(ResolveLocation(base, "uddi:def"),
            "https://api.odcloud.kr:443/api/15050148/v1/uddi:def");
}

}  // namespace
}  // namespace silverwork
