// The [alerts] section of silverwork.toml and the webhook URLs from the
// environment or from files: never from the config text, never echoed.
#include <gtest/gtest.h>

#include <cstdlib>
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

std::string WriteFile(const ScopedTempDir& folder, const std::string& name,
                      const std::string& text) {
  std::ofstream(folder.File(name)) << text;
  return folder.File(name);
}

TEST(AlertsConfigTest, DefaultsSendNothingAndNoSuccesses) {
  auto config = Parse("");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_TRUE(config->alerts.base_url.empty());
  EXPECT_FALSE(config->alerts.on_success);
  EXPECT_TRUE(config->alerts.on_stale_source);
  EXPECT_TRUE(config->alerts.slack_webhook_url.empty());
  EXPECT_TRUE(config->alerts.webhook_url.empty());
  EXPECT_EQ(config->alerts.max_attempts, 10);
}

TEST(AlertsConfigTest, EveryKeyIsRead) {
  ScopedTempDir folder;
  const std::string slack =
      WriteFile(folder, "slack", "  https://hooks.slack.com/services/T1/B2/FileSecret  \r\n");
  const std::string hook = WriteFile(folder, "hook", "http://127.0.0.1:9000/in/HookSecret\n");
  auto config = Parse(
      "[alerts]\nbase_url = \"http://dash.example:8080\"\non_success = true\n"
      "on_stale_source = false\nslack_webhook_url_file = \"" +
      slack + "\"\nwebhook_url_file = \"" + hook +
      "\"\ntimeout_ms = 2000\nmax_attempts = 3\nbackoff_base_ms = 100\n"
      "backoff_max_ms = 800\n");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  const AlertsConfig& alerts = config->alerts;
  EXPECT_EQ(alerts.base_url, "http://dash.example:8080");
  EXPECT_TRUE(alerts.on_success);
  EXPECT_FALSE(alerts.on_stale_source);
  EXPECT_EQ(alerts.slack_webhook_url, "https://hooks.slack.com/services/T1/B2/FileSecret");
  EXPECT_EQ(alerts.webhook_url, "http://127.0.0.1:9000/in/HookSecret");
  EXPECT_EQ(alerts.timeout_ms, 2000);
  EXPECT_EQ(alerts.max_attempts, 3);
  EXPECT_EQ(alerts.backoff_base_ms, 100);
  EXPECT_EQ(alerts.backoff_max_ms, 800);
}

TEST(AlertsConfigTest, AUrlWrittenInTheConfigIsRefusedWithoutEchoingIt) {
  for (const char* key : {"slack_webhook_url", "webhook_url"}) {
    auto config = Parse(std::string("[alerts]\n") + key +
                        " = \"https://hooks.slack.com/services/T/B/Inline\"\n");
    ASSERT_FALSE(config.ok()) << key;
    EXPECT_EQ(config.status().code(), ErrorCode::kInvalidInput);
    EXPECT_NE(config.status().message().find("may not be written in the config"),
              std::string::npos);
    EXPECT_NE(config.status().hint().find("_file"), std::string::npos);
    EXPECT_EQ(config.status().ToString().find("Inline"), std::string::npos);
  }
}

TEST(AlertsConfigTest, BadFilesAndValuesSayWhatToFix) {
  ScopedTempDir folder;
  auto missing = Parse("[alerts]\nslack_webhook_url_file = \"" + folder.File("absent") + "\"\n");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), ErrorCode::kIO);
  EXPECT_NE(missing.status().message().find("alerts.slack_webhook_url_file"), std::string::npos);

  const std::string not_a_url = WriteFile(folder, "bad", "hooks.slack.com/services/T/B/NotAUrl\n");
  auto bad = Parse("[alerts]\nwebhook_url_file = \"" + not_a_url + "\"\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("does not hold an http(s) URL"), std::string::npos);
  EXPECT_EQ(bad.status().ToString().find("NotAUrl"), std::string::npos);

  for (const char* text :
       {"[alerts]\nbase_url = \"dash.example\"\n", "[alerts]\nbase_url = \"http://a|b\"\n",
        "[alerts]\nmax_attempts = 0\n", "[alerts]\nbackoff_base_ms = 500\nbackoff_max_ms = 100\n",
        "[alerts]\nslack_url = \"x\"\n", "[alerts]\non_success = \"yes\"\n"}) {
    auto config = Parse(text);
    EXPECT_FALSE(config.ok()) << text;
    EXPECT_EQ(config.status().code(), ErrorCode::kInvalidInput) << text;
    EXPECT_FALSE(config.status().hint().empty()) << text;
  }
}

TEST(AlertsConfigTest, TheEnvironmentWinsAndItsUrlsBecomeSecrets) {
  ScopedTempDir folder;
  const std::string slack_file =
      WriteFile(folder, "slack", "https://hooks.slack.com/services/T1/B2/FromFile\n");
  const std::string config_path = WriteFile(
      folder, "silverwork.toml", "[alerts]\nslack_webhook_url_file = \"" + slack_file + "\"\n");
  ScopedEnv slack("SILVERWORK_SLACK_WEBHOOK_URL",
                  "https://hooks.slack.com/services/T1/B2/FromEnv-7781");
  ScopedEnv hook("SILVERWORK_ALERT_WEBHOOK_URL", " https://alerts.example/in/EnvHook-7782 ");
  auto config = LoadConfig(config_path);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->alerts.slack_webhook_url,
            "https://hooks.slack.com/services/T1/B2/FromEnv-7781");
  EXPECT_EQ(config->alerts.webhook_url, "https://alerts.example/in/EnvHook-7782");
  EXPECT_EQ(RedactSecrets("to https://hooks.slack.com/services/T1/B2/FromEnv-7781 ok"),
            "to *** ok");
  EXPECT_EQ(RedactSecrets("https://alerts.example/in/EnvHook-7782"), "***");
}

TEST(AlertsConfigTest, ABadUrlInTheEnvironmentIsNamedButNotShown) {
  ScopedEnv slack("SILVERWORK_SLACK_WEBHOOK_URL", "not a url NotShown-99");
  auto config = LoadConfig("");
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.status().message().find("SILVERWORK_SLACK_WEBHOOK_URL"), std::string::npos);
  EXPECT_EQ(config.status().ToString().find("NotShown"), std::string::npos);
}

TEST(AlertsConfigTest, TheExampleConfigSpellsTheDefaults) {
  auto config = LoadConfig(std::string(SILVERWORK_SOURCE_DIR) + "/config/silverwork.example.toml");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  const AlertsConfig defaults;
  EXPECT_EQ(config->alerts.base_url, defaults.base_url);
  EXPECT_EQ(config->alerts.on_success, defaults.on_success);
  EXPECT_EQ(config->alerts.timeout_ms, defaults.timeout_ms);
  EXPECT_EQ(config->alerts.max_attempts, defaults.max_attempts);
  EXPECT_EQ(config->alerts.backoff_base_ms, defaults.backoff_base_ms);
  EXPECT_EQ(config->alerts.backoff_max_ms, defaults.backoff_max_ms);
}

}  // namespace
}  // namespace silverwork
