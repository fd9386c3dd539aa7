// The [http] section of the config: ca_file, checked when the config loads.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "common/config.h"

namespace silverwork {
namespace {

TEST(HttpConfig, CaFileIsEmptyByDefaultAndReadWhenGiven) {
  EXPECT_EQ(DefaultConfig().http.ca_file, "");
  std::string ca_file =
      (std::filesystem::temp_directory_path() / "silverwork-test-ca.pem").string();
  std::ofstream(ca_file) << "-----BEGIN CERTIFICATE-----\n";
  auto config =
      ParseConfigText("[http]\nca_file = \"" + ca_file + "\"\n", "t.toml", DefaultConfig());
  std::remove(ca_file.c_str());
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->http.ca_file, ca_file);
}

TEST(HttpConfig, AMissingCaFileOrAnUnknownKeyIsRefusedWhenTheConfigLoads) {
  auto missing =
      ParseConfigText("[http]\nca_file = \"/nonexistent/ca.pem\"\n", "t.toml", DefaultConfig());
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message(), "t.toml: cannot read [http] ca_file '/nonexistent/ca.pem'");
  EXPECT_NE(missing.status().hint().find("PEM"), std::string::npos);

  auto unknown = ParseConfigText("[http]\nproxy = \"http://p:3128\"\n", "t.toml", DefaultConfig());
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("unknown key 'http.proxy'"), std::string::npos)
      << unknown.status().message();
  EXPECT_FALSE(ParseConfigText("[http]\nca_file = 3\n", "t.toml", DefaultConfig()).ok());
}

}  // namespace
}  // namespace silverwork
