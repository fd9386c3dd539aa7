#include "warehouse/postgres/postgres_connect.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <fstream>
#include <regex>
#include <string_view>
#include <utility>

#include "common/log.h"
#include "warehouse/postgres/postgres_errors.h"

namespace silverwork::postgres {
namespace {

constexpr const char* kPasswordHint =
    "put the password in PGPASSWORD, in ~/.pgpass, or in a file named by [warehouse] "
    "password_file (chmod 600); see docs/postgres.md";
constexpr int kDefaultConnectTimeoutSeconds = 10;

std::string PercentDecoded(std::string_view text) {
  std::string out;
  for (size_t index = 0; index < text.size(); ++index) {
    if (text[index] == '%' && index + 2 < text.size()) {
      const std::string hex(text.substr(index + 1, 2));
      char* end = nullptr;
      const long byte = std::strtol(hex.c_str(), &end, 16);
      if (end == hex.c_str() + 2) {
        out += static_cast<char>(byte);
        index += 2;
        continue;
      }
    }
    out += text[index];
  }
  return out;
}

// Every password the text of a connection string may hold: the user-info
// part of a URL and password=... values, raw and percent-decoded. Used only
// to scrub libpq's message about a string it could not parse.
std::vector<std::string> PasswordsWrittenIn(const std::string& location) {
  std::vector<std::string> found;
  static const std::regex kUserInfo(R"(^[a-z]+://([^/?#@]*):([^/?#@]*)@)", std::regex::icase);
  static const std::regex kKeyword(R"(password\s*=\s*('(?:[^'\\]|\\.)*'|[^\s&]*))",
                                   std::regex::icase);
  std::smatch match;
  if (std::regex_search(location, match, kUserInfo)) found.push_back(match[2].str());
  for (auto it = std::sregex_iterator(location.begin(), location.end(), kKeyword);
       it != std::sregex_iterator(); ++it) {
    found.push_back((*it)[1].str());
  }
  std::vector<std::string> with_decoded = found;
  for (const std::string& password : found) with_decoded.push_back(PercentDecoded(password));
  return with_decoded;
}

std::string WithoutPasswords(std::string text, const std::string& location) {
  for (const std::string& password : PasswordsWrittenIn(location)) {
    if (password.empty()) continue;
    for (size_t at = text.find(password); at != std::string::npos;
         at = text.find(password, at + 3)) {
      text.replace(at, password.size(), "***");
    }
  }
  return text;
}

Result<std::string> ReadPasswordFile(const std::string& path) {
  std::ifstream in(path);
  std::string password;
  if (!in) {
    return Status(ErrorCode::kIO, fmt::format("cannot read [warehouse] password_file '{}'", path),
                  "create the file with the password as its only line, readable by this user "
                  "(chmod 600)");
  }
  std::getline(in, password);
  if (!password.empty() && password.back() == '\r') password.pop_back();
  if (password.empty()) {
    return Status(ErrorCode::kIO, fmt::format("[warehouse] password_file '{}' is empty", path),
                  "write the password as the file's first line");
  }
  RegisterSecret(password);
  return password;
}

void Add(ConnectParameters& parameters, std::string keyword, std::string value) {
  parameters.keywords.push_back(std::move(keyword));
  parameters.values.push_back(std::move(value));
}

// Server settings sent with the connection (the `options` parameter), after
// whatever the location's own `options` asks for.
std::string ServerOptions(std::string options, const WarehouseOptions& warehouse) {
  auto add = [&options](std::string_view setting) {
    if (!options.empty()) options += ' ';
    options += "-c ";
    options += setting;
  };
  add("client_min_messages=warning");
  if (warehouse.statement_timeout_ms > 0) {
    add(fmt::format("statement_timeout={}", warehouse.statement_timeout_ms));
  }
  if (warehouse.read_only) add("default_transaction_read_only=on");
  return options;
}

// What libpq connects (or tried to connect) to, with its defaults filled in.
std::pair<std::string, std::string> HostAndPort(const PGconn* connection) {
  const char* host = PQhost(connection);
  const char* port = PQport(connection);
  return {host != nullptr && *host != '\0' ? host : "localhost",
          port != nullptr && *port != '\0' ? port : "5432"};
}

void LogServerNotice(void*, const char* message) {
  spdlog::warn("PostgreSQL: {}", OneLine(message));
}

Status ConnectFailure(PGconn* connection) {
  const std::string server = ServerName(connection);
  const std::string reason = OneLine(PQerrorMessage(connection));
  const char* user = PQuser(connection);
  const std::string user_name = user != nullptr ? user : "";
  if (PQconnectionNeedsPassword(connection)) {
    return Status(ErrorCode::kAuth,
                  fmt::format("PostgreSQL at {} asks for a password for user \"{}\" and none was "
                              "given",
                              server, user_name),
                  kPasswordHint);
  }
  if (reason.find("authentication failed") != std::string::npos) {
    return Status(ErrorCode::kAuth,
                  fmt::format("PostgreSQL at {} refused the login of user \"{}\": {}", server,
                              user_name, reason),
                  "check the user in [warehouse] url and the password in PGPASSWORD, ~/.pgpass or "
                  "the file named by [warehouse] password_file");
  }
  if (reason.find("FATAL:") != std::string::npos) {  // the server answered, and said no
    return Status(ErrorCode::kDatabase,
                  fmt::format("PostgreSQL at {} refused the connection: {}", server, reason),
                  "check the database and user named in [warehouse] url; the database must "
                  "exist (createdb NAME)");
  }
  const auto [host, port] = HostAndPort(connection);
  return Status(ErrorCode::kNetwork,
                fmt::format("cannot connect to PostgreSQL at {}: {}", server, reason),
                fmt::format("check that the server is running and accepts connections there "
                            "(pg_isready -h {} -p {}), and the host and port in [warehouse] url "
                            "or PGHOST/PGPORT",
                            host, port));
}

}  // namespace

Result<ConnectParameters> ConnectParametersFor(const WarehouseOptions& options) {
  char* parse_error = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(options.location.c_str(), &parse_error);
  if (parsed == nullptr) {
    const std::string reason = parse_error != nullptr ? OneLine(parse_error) : "out of memory";
    PQfreemem(parse_error);
    return Status(
        ErrorCode::kInvalidInput,
        fmt::format("the PostgreSQL connection string in [warehouse] url is not valid: {}",
                    WithoutPasswords(reason, options.location)),
        "write it as postgresql://USER@HOST:PORT/DATABASE (see docs/postgres.md)");
  }
  std::unique_ptr<PQconninfoOption, decltype(&PQconninfoFree)> owned(parsed, &PQconninfoFree);

  ConnectParameters parameters;
  std::string server_options;
  bool has_connect_timeout = std::getenv("PGCONNECT_TIMEOUT") != nullptr;
  for (const PQconninfoOption* option = parsed; option->keyword != nullptr; ++option) {
    if (option->val == nullptr) continue;
    const std::string_view keyword = option->keyword;
    if (keyword == "password") {
      return Status(ErrorCode::kInvalidInput,
                    "the PostgreSQL connection string in [warehouse] url contains a password, "
                    "and the config is no place for one",
                    fmt::format("remove it from the url and {}", kPasswordHint));
    }
    if (keyword == "options") {
      server_options = option->val;
      continue;
    }
    if (keyword == "client_encoding" || keyword == "fallback_application_name") continue;
    has_connect_timeout = has_connect_timeout || keyword == "connect_timeout";
    Add(parameters, option->keyword, option->val);
  }
  Add(parameters, "options", ServerOptions(server_options, options));
  Add(parameters, "client_encoding", "UTF8");  // Values are UTF-8
  Add(parameters, "fallback_application_name", "silverwork");
  if (!has_connect_timeout) {
    Add(parameters, "connect_timeout", std::to_string(kDefaultConnectTimeoutSeconds));
  }
  if (const char* password = std::getenv("PGPASSWORD"); password != nullptr) {
    RegisterSecret(password);
  }
  if (!options.password_file.empty()) {
    SW_ASSIGN_OR_RETURN(std::string password, ReadPasswordFile(options.password_file));
    Add(parameters, "password", std::move(password));
  }
  return parameters;
}

Result<PgConnection> Connect(const ConnectParameters& parameters) {
  std::vector<const char*> keywords, values;
  for (size_t index = 0; index < parameters.keywords.size(); ++index) {
    keywords.push_back(parameters.keywords[index].c_str());
    values.push_back(parameters.values[index].c_str());
  }
  keywords.push_back(nullptr);
  values.push_back(nullptr);
  PgConnection connection(PQconnectdbParams(keywords.data(), values.data(), /*expand_dbname=*/0));
  if (connection == nullptr) {
    return Status(ErrorCode::kInternal, "libpq could not allocate a connection (out of memory)");
  }
  if (PQstatus(connection.get()) != CONNECTION_OK) return ConnectFailure(connection.get());
  PQsetNoticeProcessor(connection.get(), &LogServerNotice, nullptr);
  return connection;
}

std::string ServerName(const PGconn* connection) {
  const auto [host, port] = HostAndPort(connection);
  if (host.front() == '/') return fmt::format("socket folder {} (port {})", host, port);
  if (host.find(':') != std::string::npos) return fmt::format("[{}]:{}", host, port);
  return fmt::format("{}:{}", host, port);
}

}  // namespace silverwork::postgres
