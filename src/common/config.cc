#include "common/config.h"

#include <toml++/toml.h>

#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <string_view>
#include <utility>

#include "common/log.h"

namespace silverwork {
namespace {

Status Invalid(const std::string& origin, const std::string& what, const std::string& hint) {
  return Status(ErrorCode::kInvalidInput, origin + ": " + what, hint);
}

// Reads typed values out of one TOML table and remembers which keys it
// used, so whatever is left over can be reported as unknown.
class TableReader {
 public:
  TableReader(const toml::table& table, std::string path, std::string origin)
      : table_(table), path_(std::move(path)), origin_(std::move(origin)) {}

  Status String(const char* key, std::string& out) {
    return Read<std::string>(key, out, "a string");
  }
  Status Bool(const char* key, bool& out) { return Read<bool>(key, out, "true or false"); }
  Status Int(const char* key, int64_t& out) { return Read<int64_t>(key, out, "an integer"); }
  Status Int(const char* key, int& out) {
    int64_t wide = out;
    SW_RETURN_IF_ERROR(Int(key, wide));
    out = static_cast<int>(wide);
    return Status::Ok();
  }
  Status Double(const char* key, double& out) {
    used_.insert(key);
    const toml::node* node = table_.get(key);
    if (node == nullptr) return Status::Ok();
    if (auto value = node->value<double>()) {
      out = *value;
      return Status::Ok();
    }
    return WrongType(key, "a number");
  }
  const toml::table* Table(const char* key) {
    used_.insert(key);
    const toml::node* node = table_.get(key);
    return node == nullptr ? nullptr : node->as_table();
  }
  Status RejectUnknown() const {
    for (const auto& [key, node] : table_) {
      if (!used_.contains(std::string(key.str()))) {
        return Invalid(origin_, "unknown key '" + Qualified(std::string(key.str())) + "'",
                       "remove it or fix its spelling; see config/silverwork.example.toml");
      }
    }
    return Status::Ok();
  }
  std::string Qualified(const std::string& key) const {
    return path_.empty() ? key : path_ + "." + key;
  }

 private:
  template <typename T>
  Status Read(const char* key, T& out, const char* expected) {
    used_.insert(key);
    const toml::node* node = table_.get(key);
    if (node == nullptr) return Status::Ok();
    if (auto value = node->value_exact<T>()) {
      out = *value;
      return Status::Ok();
    }
    return WrongType(key, expected);
  }
  Status WrongType(const char* key, const char* expected) const {
    return Invalid(origin_, "'" + Qualified(key) + "' must be " + expected,
                   "fix the value in the config file");
  }

  const toml::table& table_;
  std::string path_;
  std::string origin_;
  std::set<std::string> used_;
};

Status ReadPostings(const toml::table& table, const std::string& origin, PostingsConfig& out) {
  TableReader reader(table, "postings", origin);
  SW_RETURN_IF_ERROR(reader.String("base_url", out.base_url));
  SW_RETURN_IF_ERROR(reader.Int("rows_per_page", out.rows_per_page));
  SW_RETURN_IF_ERROR(reader.Int("concurrency", out.concurrency));
  SW_RETURN_IF_ERROR(reader.Double("calls_per_second", out.calls_per_second));
  SW_RETURN_IF_ERROR(reader.Int("calls_per_day", out.calls_per_day));
  SW_RETURN_IF_ERROR(reader.Int("reserved_calls_per_day", out.reserved_calls_per_day));
  SW_RETURN_IF_ERROR(reader.Int("lookback_days", out.lookback_days));
  SW_RETURN_IF_ERROR(reader.Int("max_reach_back_days", out.max_reach_back_days));
  SW_RETURN_IF_ERROR(reader.Int("timeout_ms", out.timeout_ms));
  SW_RETURN_IF_ERROR(reader.Int("max_attempts", out.max_attempts));
  SW_RETURN_IF_ERROR(reader.Int("backoff_base_ms", out.backoff_base_ms));
  SW_RETURN_IF_ERROR(reader.Int("backoff_max_ms", out.backoff_max_ms));
  SW_RETURN_IF_ERROR(reader.Int("batch_size", out.batch_size));
  SW_RETURN_IF_ERROR(reader.RejectUnknown());
  if (out.rows_per_page < 1 || out.concurrency < 1 || out.max_attempts < 1 ||
      out.lookback_days < 0 || out.max_reach_back_days < 0 || out.batch_size < 1 ||
      out.timeout_ms < 1) {
    return Invalid(origin,
                   "[postings] rows_per_page, concurrency, max_attempts, batch_size and "
                   "timeout_ms must be positive, lookback_days and max_reach_back_days "
                   "not negative",
                   "fix the values in the config file");
  }
  if (out.reserved_calls_per_day < 0 ||
      (out.calls_per_day > 0 && out.reserved_calls_per_day >= out.calls_per_day)) {
    return Invalid(origin,
                   "[postings] reserved_calls_per_day (" +
                       std::to_string(out.reserved_calls_per_day) +
                       ") must be at least 0 and below calls_per_day (" +
                       std::to_string(out.calls_per_day) + ")",
                   "keep it near what a day of hourly collections spends, e.g. 1000");
  }
  return Status::Ok();
}

Status ReadProjects(const toml::table& table, const std::string& origin, ProjectsConfig& out) {
  TableReader reader(table, "projects", origin);
  SW_RETURN_IF_ERROR(reader.String("base_url", out.base_url));
  SW_RETURN_IF_ERROR(reader.String("openapi_url", out.openapi_url));
  SW_RETURN_IF_ERROR(reader.Int("per_page", out.per_page));
  SW_RETURN_IF_ERROR(reader.Int("concurrency", out.concurrency));
  SW_RETURN_IF_ERROR(reader.Double("calls_per_second", out.calls_per_second));
  SW_RETURN_IF_ERROR(reader.Int("calls_per_day", out.calls_per_day));
  SW_RETURN_IF_ERROR(reader.Int("timeout_ms", out.timeout_ms));
  SW_RETURN_IF_ERROR(reader.Int("max_attempts", out.max_attempts));
  if (const toml::table* files = reader.Table("files")) {
    // Pins restrict collection to themselves (see ProjectsConfig::files).
    out.files.clear();
    for (const auto& [year_text, node] : *files) {
      int year = std::atoi(std::string(year_text.str()).c_str());
      auto file_id = node.value_exact<std::string>();
      if (year < 2000 || year > 2100 || !file_id) {
        return Invalid(origin, "[projects.files] entries must look like 2022 = \"<file id>\"",
                       "use the year as key and the uddi file id as a string");
      }
      out.files[year] = *file_id;
    }
  }
  if (const toml::table* aliases = reader.Table("column_aliases")) {
    for (const auto& [canonical, node] : *aliases) {
      const toml::array* names = node.as_array();
      if (names == nullptr) {
        return Invalid(origin, "[projects.column_aliases] values must be arrays of strings",
                       "write e.g. admProvNm = [\"관할시도\"]");
      }
      for (const auto& name : *names) {
        auto text = name.value_exact<std::string>();
        if (!text) {
          return Invalid(origin, "[projects.column_aliases] values must be arrays of strings",
                         "write e.g. admProvNm = [\"관할시도\"]");
        }
        out.column_aliases[std::string(canonical.str())].push_back(*text);
      }
    }
  }
  SW_RETURN_IF_ERROR(reader.RejectUnknown());
  if (out.per_page < 1 || out.concurrency < 1 || out.max_attempts < 1) {
    return Invalid(origin, "[projects] per_page, concurrency and max_attempts must be positive",
                   "fix the values in the config file");
  }
  return Status::Ok();
}

Status ReadHttp(const toml::table& table, const std::string& origin, HttpConfig& out) {
  TableReader reader(table, "http", origin);
  SW_RETURN_IF_ERROR(reader.String("ca_file", out.ca_file));
  SW_RETURN_IF_ERROR(reader.RejectUnknown());
  if (!out.ca_file.empty() && !std::ifstream(out.ca_file)) {
    return Status(ErrorCode::kNotFound,
                  origin + ": cannot read [http] ca_file '" + out.ca_file + "'",
                  "name a readable PEM file of CA certificates (relative paths start at the "
                  "current directory), or remove the key to trust the system's CAs only");
  }
  return Status::Ok();
}

// The first line of the file named by config key `key_name`.
Result<std::string> ReadSecretFile(const std::string& path, const std::string& key_name,
                                   const std::string& what) {
  std::ifstream in(path);
  if (!in) {
    return Status(ErrorCode::kIO, "cannot read " + key_name + " '" + path + "'",
                  "create the file with " + what + " as its only line, readable by this user");
  }
  std::string line;
  std::getline(in, line);
  return line;
}

std::string TrimWhitespace(std::string text) {
  const char* kSpace = " \t\r\n";
  text.erase(0, text.find_first_not_of(kSpace));
  text.erase(text.find_last_not_of(kSpace) + 1);
  return text;
}

bool IsHttpUrl(std::string_view url) {
  for (std::string_view scheme : {"https://", "http://"}) {
    // Nothing that would break a Slack link (<url|label>) or a log line.
    if (url.starts_with(scheme) && url.size() > scheme.size())
      return url.find_first_of(" \t\r\n<>|\"") == std::string_view::npos;
  }
  return false;
}

// `from` says where the URL came from; the URL itself is a secret and never
// appears in the message.
Status CheckWebhookUrl(const std::string& url, const std::string& from) {
  if (IsHttpUrl(url)) return Status::Ok();
  return Status(ErrorCode::kInvalidInput, from + " does not hold an http(s) URL",
                "put the webhook's whole URL (e.g. https://hooks.slack.com/services/...) there, "
                "on one line");
}

// A webhook URL from the file named by `key` in [alerts], if one is named.
Status ReadWebhookUrlFile(TableReader& reader, const char* key, std::string& url) {
  std::string path;
  SW_RETURN_IF_ERROR(reader.String(key, path));
  if (path.empty()) return Status::Ok();
  const std::string key_name = reader.Qualified(key);
  SW_ASSIGN_OR_RETURN(std::string line, ReadSecretFile(path, key_name, "the webhook's URL"));
  url = TrimWhitespace(std::move(line));
  return CheckWebhookUrl(url, "the file named by " + key_name);
}

Status ReadAlerts(const toml::table& table, const std::string& origin, AlertsConfig& out) {
  for (const char* inline_secret : {"slack_webhook_url", "webhook_url"}) {
    if (table.contains(inline_secret)) {
      return Invalid(origin,
                     "'alerts." + std::string(inline_secret) +
                         "' may not be written in the config: the URL is a secret",
                     "put it in SILVERWORK_SLACK_WEBHOOK_URL or SILVERWORK_ALERT_WEBHOOK_URL, or "
                     "in a file named by alerts." +
                         std::string(inline_secret) + "_file (chmod 600)");
    }
  }
  TableReader reader(table, "alerts", origin);
  SW_RETURN_IF_ERROR(reader.String("base_url", out.base_url));
  SW_RETURN_IF_ERROR(reader.Bool("on_success", out.on_success));
  SW_RETURN_IF_ERROR(reader.Bool("on_stale_source", out.on_stale_source));
  SW_RETURN_IF_ERROR(ReadWebhookUrlFile(reader, "slack_webhook_url_file", out.slack_webhook_url));
  SW_RETURN_IF_ERROR(ReadWebhookUrlFile(reader, "webhook_url_file", out.webhook_url));
  SW_RETURN_IF_ERROR(reader.Int("timeout_ms", out.timeout_ms));
  SW_RETURN_IF_ERROR(reader.Int("max_attempts", out.max_attempts));
  SW_RETURN_IF_ERROR(reader.Int("backoff_base_ms", out.backoff_base_ms));
  SW_RETURN_IF_ERROR(reader.Int("backoff_max_ms", out.backoff_max_ms));
  SW_RETURN_IF_ERROR(reader.RejectUnknown());
  if (!out.base_url.empty() && !IsHttpUrl(out.base_url)) {
    return Invalid(origin, "[alerts] base_url must be an http(s) URL without spaces, <, >, | or \"",
                   "write the dashboard's address as users open it, e.g. "
                   "\"http://silverwork.example:8080\"");
  }
  if (out.timeout_ms < 1 || out.max_attempts < 1 || out.backoff_base_ms < 1 ||
      out.backoff_max_ms < out.backoff_base_ms) {
    return Invalid(origin,
                   "[alerts] timeout_ms, max_attempts and backoff_base_ms must be "
                   "positive and backoff_max_ms at least backoff_base_ms",
                   "fix the values in the config file");
  }
  return Status::Ok();
}

Status ReadScheduler(const toml::table& table, const std::string& origin, SchedulerConfig& out) {
  TableReader reader(table, "scheduler", origin);
  SW_RETURN_IF_ERROR(reader.String("pipelines_file", out.pipelines_file));
  SW_RETURN_IF_ERROR(reader.String("logs_dir", out.logs_dir));
  SW_RETURN_IF_ERROR(reader.Int("log_retention_days", out.log_retention_days));
  SW_RETURN_IF_ERROR(reader.Int("poll_interval_ms", out.poll_interval_ms));
  SW_RETURN_IF_ERROR(reader.Int("lease_ttl_ms", out.lease_ttl_ms));
  SW_RETURN_IF_ERROR(reader.Int("shutdown_grace_ms", out.shutdown_grace_ms));
  SW_RETURN_IF_ERROR(reader.Int("kill_grace_ms", out.kill_grace_ms));
  SW_RETURN_IF_ERROR(reader.Int("max_parallel_tasks", out.max_parallel_tasks));
  SW_RETURN_IF_ERROR(reader.RejectUnknown());
  if (out.logs_dir.empty() || out.log_retention_days < 1 || out.poll_interval_ms < 10 ||
      out.shutdown_grace_ms < 0 || out.kill_grace_ms < 0 || out.max_parallel_tasks < 1 ||
      out.max_parallel_tasks > 64) {
    return Invalid(origin,
                   "[scheduler] logs_dir must be set, log_retention_days at least 1, "
                   "poll_interval_ms at least 10, the grace periods not negative and "
                   "max_parallel_tasks 1..64",
                   "fix the values in the config file");
  }
  if (out.lease_ttl_ms < 3 * out.poll_interval_ms || out.lease_ttl_ms < 3'000) {
    return Invalid(origin,
                   "[scheduler] lease_ttl_ms must be at least 3000 and three times "
                   "poll_interval_ms (the lease is renewed between polls)",
                   "raise lease_ttl_ms or lower poll_interval_ms");
  }
  return Status::Ok();
}

// SILVERWORK_SLACK_WEBHOOK_URL and SILVERWORK_ALERT_WEBHOOK_URL, over the files.
Status ApplyAlertEnvironment(AlertsConfig& alerts) {
  for (auto [variable, url] : {std::pair{"SILVERWORK_SLACK_WEBHOOK_URL", &alerts.slack_webhook_url},
                               std::pair{"SILVERWORK_ALERT_WEBHOOK_URL", &alerts.webhook_url}}) {
    const char* value = std::getenv(variable);
    if (value == nullptr || *value == '\0') continue;
    *url = TrimWhitespace(value);
    SW_RETURN_IF_ERROR(CheckWebhookUrl(*url, variable));
  }
  RegisterSecret(alerts.slack_webhook_url);
  RegisterSecret(alerts.webhook_url);
  return Status::Ok();
}

// Operator tokens shorter than this are refused: the token is all that
// stands between the network and the write endpoints.
constexpr size_t kMinApiTokenLength = 16;

// `from` says where the token came from; the token never appears in a message.
Status CheckApiToken(const std::string& token, const std::string& from) {
  if (token.size() >= kMinApiTokenLength &&
      token.find_first_of(" \t\r\n") == std::string::npos)
    return Status::Ok();
  return Status(ErrorCode::kInvalidInput,
                from + " does not hold a usable API token: it needs at least " +
                    std::to_string(kMinApiTokenLength) + " characters and no spaces",
                "generate one with `openssl rand -hex 32` and put it there, on one line");
}

Status ReadServe(const toml::table& table, const std::string& origin, ServeConfig& out) {
  if (table.contains("api_token")) {
    return Invalid(origin, "'serve.api_token' may not be written in the config: it is a secret",
                   "put it in SILVERWORK_API_TOKEN or in a file named by serve.api_token_file "
                   "(chmod 600)");
  }
  TableReader reader(table, "serve", origin);
  std::string path;
  SW_RETURN_IF_ERROR(reader.String("api_token_file", path));
  SW_RETURN_IF_ERROR(reader.RejectUnknown());
  if (path.empty()) return Status::Ok();
  SW_ASSIGN_OR_RETURN(std::string line,
                      ReadSecretFile(path, "serve.api_token_file", "the API token"));
  out.api_token = TrimWhitespace(std::move(line));
  RegisterSecret(out.api_token);
  return CheckApiToken(out.api_token, "the file named by serve.api_token_file");
}

// SILVERWORK_API_TOKEN, over the file.
Status ApplyServeEnvironment(ServeConfig& serve) {
  const char* value = std::getenv("SILVERWORK_API_TOKEN");
  if (value == nullptr || *value == '\0') return Status::Ok();
  serve.api_token = TrimWhitespace(value);
  RegisterSecret(serve.api_token);
  return CheckApiToken(serve.api_token, "SILVERWORK_API_TOKEN");
}

}  // namespace

Config DefaultConfig() {
  Config config;
  config.projects.openapi_url = Config::kRealProjectsDocumentUrl;
  return config;
}

Result<Config> ParseConfigText(const std::string& text, const std::string& origin, Config base) {
  // Debian's toml++ is built with exceptions: parse errors arrive as one.
  toml::table root;
  try {
    root = toml::parse(text, origin);
  } catch (const toml::parse_error& error) {
    std::ostringstream where;
    where << error.source().begin;
    return Invalid(origin, std::string(error.description()) + " at " + where.str(),
                   "fix the TOML syntax");
  }
  Config config = std::move(base);
  TableReader reader(root, "", origin);
  std::string service_key_file;
  SW_RETURN_IF_ERROR(reader.String("service_key_file", service_key_file));
  SW_RETURN_IF_ERROR(reader.String("project_dir", config.project_dir));
  SW_RETURN_IF_ERROR(reader.String("artifacts_dir", config.artifacts_dir));
  SW_RETURN_IF_ERROR(reader.String("log_file", config.log_file));
  if (root.contains("service_key")) {
    return Invalid(origin, "'service_key' may not be written in the config",
                   "put the key in DATA_GO_KR_SERVICE_KEY or in a file named by "
                   "service_key_file (chmod 600)");
  }
  if (const toml::table* warehouse = reader.Table("warehouse")) {
    TableReader section(*warehouse, "warehouse", origin);
    SW_RETURN_IF_ERROR(section.String("engine", config.warehouse_engine));
    SW_RETURN_IF_ERROR(section.String("path", config.warehouse_path));
    SW_RETURN_IF_ERROR(section.String("url", config.warehouse_url));
    SW_RETURN_IF_ERROR(section.String("password_file", config.warehouse_password_file));
    SW_RETURN_IF_ERROR(section.Int("statement_timeout_ms", config.warehouse_statement_timeout_ms));
    if (warehouse->contains("password")) {
      return Invalid(origin, "'warehouse.password' may not be written in the config",
                     "put the password in PGPASSWORD, in ~/.pgpass, or in a file named by "
                     "[warehouse] password_file (chmod 600)");
    }
    SW_RETURN_IF_ERROR(section.RejectUnknown());
    if (config.warehouse_statement_timeout_ms < 0) {
      return Invalid(origin, "[warehouse] statement_timeout_ms must not be negative",
                     "use 0 for no timeout");
    }
  }
  if (const toml::table* lake = reader.Table("lake")) {
    TableReader section(*lake, "lake", origin);
    SW_RETURN_IF_ERROR(section.String("path", config.lake_path));
    SW_RETURN_IF_ERROR(section.Bool("fsync", config.lake_fsync));
    SW_RETURN_IF_ERROR(section.RejectUnknown());
  }
  if (const toml::table* postings = reader.Table("postings"))
    SW_RETURN_IF_ERROR(ReadPostings(*postings, origin, config.postings));
  if (const toml::table* projects = reader.Table("projects"))
    SW_RETURN_IF_ERROR(ReadProjects(*projects, origin, config.projects));
  if (const toml::table* alerts = reader.Table("alerts"))
    SW_RETURN_IF_ERROR(ReadAlerts(*alerts, origin, config.alerts));
  if (const toml::table* scheduler = reader.Table("scheduler"))
    SW_RETURN_IF_ERROR(ReadScheduler(*scheduler, origin, config.scheduler));
  if (const toml::table* http = reader.Table("http"))
    SW_RETURN_IF_ERROR(ReadHttp(*http, origin, config.http));
  if (const toml::table* serve = reader.Table("serve"))
    SW_RETURN_IF_ERROR(ReadServe(*serve, origin, config.serve));
  SW_RETURN_IF_ERROR(reader.RejectUnknown());
  if (!service_key_file.empty()) {
    SW_ASSIGN_OR_RETURN(config.service_key,
                        ReadSecretFile(service_key_file, "service_key_file", "the key"));
  }
  config.source_path = origin;
  return config;
}

Result<Config> LoadConfig(const std::string& path) {
  Config config = DefaultConfig();
  if (!path.empty()) {
    std::ifstream in(path);
    if (!in) {
      return Status(ErrorCode::kNotFound, "cannot read config file '" + path + "'",
                    "check the path given with --config or SILVERWORK_CONFIG");
    }
    std::stringstream buffer;
    buffer << in.rdbuf();
    SW_ASSIGN_OR_RETURN(config, ParseConfigText(buffer.str(), path, std::move(config)));
  }
  if (const char* key = std::getenv("DATA_GO_KR_SERVICE_KEY"); key != nullptr && *key != '\0')
    config.service_key = key;
  if (const char* warehouse = std::getenv("SILVERWORK_WAREHOUSE"); warehouse && *warehouse)
    config.warehouse_path = warehouse;
  if (const char* lake = std::getenv("SILVERWORK_LAKE"); lake && *lake) config.lake_path = lake;
  SW_RETURN_IF_ERROR(ApplyAlertEnvironment(config.alerts));
  SW_RETURN_IF_ERROR(ApplyServeEnvironment(config.serve));
  return config;
}

}  // namespace silverwork
