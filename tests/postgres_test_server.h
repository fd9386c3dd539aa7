// The throwaway PostgreSQL server the tests share, and a schema of its own
// for each test on it.
//
// The CTest fixture `postgres_server` (tests/CMakeLists.txt) starts the
// server with scripts/postgres-test-server.sh before any suite that needs
// it and writes its url and password file into SILVERWORK_POSTGRES_TEST_DIR
// (build/<preset>/postgres-test). A test binary run by hand finds it there
// too; when there is none, the test fails and says how to start one — it
// never skips. Each test works in a schema of its own (sw_test_<pid>_<n>),
// so tests in several processes (ctest -j) share the server safely; the
// schema is dropped with everything in it when the test ends.
//
// Thread-safety: for one test's thread.
#pragma once

#ifndef SILVERWORK_POSTGRES_TEST_DIR
#error \
    "this suite needs the PostgreSQL test server: list it in postgres_suites (tests/CMakeLists.txt)"
#endif

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>

#include "warehouse/warehouse.h"

namespace silverwork {

struct PostgresTestServer {
  std::string url;  // postgresql://silverwork@127.0.0.1:PORT/postgres, no password
  std::string password_file;
  std::string dir;  // where the script keeps url, password and server
};

// Reads the test server's url from `dir`; adds a test failure naming the
// command to run when there is none.
inline PostgresTestServer PostgresTestServerIn(const std::string& dir) {
  PostgresTestServer server{.password_file = dir + "/password", .dir = dir};
  std::ifstream url(dir + "/url");
  if (!url || !std::getline(url, server.url) || server.url.empty()) {
    ADD_FAILURE() << "no PostgreSQL test server is running (no " << dir << "/url); ctest starts "
                  << "one for these tests, or run: scripts/postgres-test-server.sh start " << dir;
  }
  return server;
}

inline const PostgresTestServer& SharedPostgresTestServer() {
  static const PostgresTestServer server = PostgresTestServerIn(SILVERWORK_POSTGRES_TEST_DIR);
  return server;
}

// `url` with server options added: `-c name=value` as the options parameter.
inline std::string UrlWithSearchPath(const std::string& url, const std::string& schema) {
  const char separator = url.find('?') == std::string::npos ? '?' : '&';
  return url + separator + "options=-csearch_path%3D" + schema;
}

// Runs `sql` as the test server's owner; a test failure when it fails.
inline void RunAsPostgresAdmin(const PostgresTestServer& server, const std::string& sql) {
  auto admin = OpenWarehouse(
      {.engine = "postgres", .location = server.url, .password_file = server.password_file});
  ASSERT_TRUE(admin.ok()) << admin.status().ToString();
  Status status = (*admin)->Execute(sql);
  EXPECT_TRUE(status.ok()) << status.ToString();
}

class ScopedPostgresSchema {
 public:
  ScopedPostgresSchema() : server_(SharedPostgresTestServer()) {
    static std::atomic<int> counter{0};
    name_ = "sw_test_" + std::to_string(getpid()) + "_" + std::to_string(counter++);
    RunAsAdmin("CREATE SCHEMA " + name_);
  }
  ~ScopedPostgresSchema() { RunAsAdmin("DROP SCHEMA IF EXISTS " + name_ + " CASCADE"); }
  ScopedPostgresSchema(const ScopedPostgresSchema&) = delete;
  ScopedPostgresSchema& operator=(const ScopedPostgresSchema&) = delete;

  const std::string& name() const { return name_; }
  const PostgresTestServer& server() const { return server_; }

  // Opens connections whose current schema is this one.
  WarehouseOptions Options(bool read_only = false) const {
    return {.engine = "postgres",
            .location = UrlWithSearchPath(server_.url, name_),
            .read_only = read_only,
            .password_file = server_.password_file};
  }

 private:
  void RunAsAdmin(const std::string& sql) const { RunAsPostgresAdmin(server_, sql); }

  PostgresTestServer server_;
  std::string name_;
};

// A login role of its own on the test server (roles belong to the whole
// server, so the name is unique per process), its password in a file in
// `folder`; dropped, with every privilege it holds, at the end.
class ScopedPostgresRole {
 public:
  explicit ScopedPostgresRole(const std::string& folder)
      : server_(SharedPostgresTestServer()), password_file_(folder + "/role-password") {
    static std::atomic<int> counter{0};
    const int number = counter++;
    name_ = "sw_role_" + std::to_string(getpid()) + "_" + std::to_string(number);
    const std::string password = "pw-" + std::to_string(getpid()) + "-" + std::to_string(number);
    std::ofstream(password_file_) << password << "\n";
    RunAsPostgresAdmin(server_, "CREATE ROLE " + name_ + " LOGIN PASSWORD '" + password + "'");
  }
  ~ScopedPostgresRole() {
    RunAsPostgresAdmin(server_, "DROP OWNED BY " + name_ + "; DROP ROLE " + name_);
  }
  ScopedPostgresRole(const ScopedPostgresRole&) = delete;
  ScopedPostgresRole& operator=(const ScopedPostgresRole&) = delete;

  const std::string& name() const { return name_; }

  // Connections as this role whose current schema is `schema`'s.
  WarehouseOptions OptionsIn(const ScopedPostgresSchema& schema) const {
    WarehouseOptions options = schema.Options();
    const std::string owner = "://silverwork@";
    const size_t at = options.location.find(owner);
    EXPECT_NE(at, std::string::npos) << "the test server's url changed: " << options.location;
    if (at != std::string::npos) options.location.replace(at, owner.size(), "://" + name_ + "@");
    options.password_file = password_file_;
    return options;
  }

 private:
  PostgresTestServer server_;
  std::string password_file_;
  std::string name_;
};

}  // namespace silverwork
