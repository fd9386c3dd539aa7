// The operator token of `silverwork serve` ([serve] api_token_file or
// SILVERWORK_API_TOKEN): never from the config text, long enough, registered
// as a secret so no log line can show it.
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "common/config.h"
#include "common/log.h"
#include "scoped_env.h"
#include "scoped_temp_dir.h"

namespace silverwork {
namespace {

Result<Config> Parse(const std::string& text) {
  return ParseConfigText(text, "test.toml", DefaultConfig());
}

TEST(ServeConfigTest, WithoutATokenWritesStayOff) {
  auto config = LoadConfig("");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_TRUE(config->serve.api_token.empty());
}

TEST(ServeConfigTest, TheTokenComesFromTheFileNamedInTheConfigAndIsASecret) {
  ScopedTempDir folder;
  std::ofstream(folder.File("token")) << "  file-token-3b9f0e7c15a2  \n";
  auto config = Parse("[serve]\napi_token_file = \"" + folder.File("token") + "\"\n");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->serve.api_token, "file-token-3b9f0e7c15a2");
  EXPECT_EQ(RedactSecrets("token file-token-3b9f0e7c15a2 here"), "token *** here");
}

TEST(ServeConfigTest, TheEnvironmentWinsOverTheFile) {
  ScopedTempDir folder;
  std::ofstream(folder.File("token")) << "file-token-3b9f0e7c15a2\n";
  std::ofstream(folder.File("silverwork.toml"))
      << "[serve]\napi_token_file = \"" << folder.File("token") << "\"\n";
  ScopedEnv token("SILVERWORK_API_TOKEN", "env-token-9d8c7b6a5f4e");
  auto config = LoadConfig(folder.File("silverwork.toml"));
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->serve.api_token, "env-token-9d8c7b6a5f4e");
  EXPECT_EQ(RedactSecrets("env-token-9d8c7b6a5f4e"), "***");
}

TEST(ServeConfigTest, ATokenWrittenInTheConfigIsRefusedWithoutEchoingIt) {
  auto config = Parse("[serve]\napi_token = \"inline-token-0123456789\"\n");
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.status().message().find("may not be written in the config"), std::string::npos);
  EXPECT_EQ(config.status().ToString().find("inline-token"), std::string::npos);
}

TEST(ServeConfigTest, AShortTokenOrAMissingFileIsAnErrorSayingWhatToDo) {
  ScopedEnv token("SILVERWORK_API_TOKEN", "short-token");
  auto short_token = LoadConfig("");
  ASSERT_FALSE(short_token.ok());
  EXPECT_NE(short_token.status().message().find("at least 16 characters"), std::string::npos);
  EXPECT_NE(short_token.status().hint().find("openssl rand -hex 32"), std::string::npos);
  EXPECT_EQ(short_token.status().ToString().find("short-token"), std::string::npos);

  auto missing = Parse("[serve]\napi_token_file = \"/nonexistent/token\"\n");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), ErrorCode::kIO);
  auto unknown = Parse("[serve]\nport = 8080\n");
  EXPECT_FALSE(unknown.ok()) << "unknown keys are refused";
}

}  // namespace
}  // namespace silverwork
