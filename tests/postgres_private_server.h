// A throwaway PostgreSQL server for one test, which the test may restart:
// the shared test server (postgres_test_server.h) serves other tests at the
// same time, so restarting it would cut their sessions. Started and stopped
// by the same script as the shared one.
//
// Thread-safety: for one test's thread.
#pragma once

#ifdef SILVERWORK_HAVE_POSTGRES

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "postgres_test_server.h"
#include "scoped_temp_dir.h"

namespace silverwork {

// A throwaway server for one test, stopped and removed at its end.
class PrivatePostgresServer {
 public:
  PrivatePostgresServer() {
    started_ = Run("start");
    if (started_) info_ = PostgresTestServerIn(dir_.path().string());
  }
  ~PrivatePostgresServer() { (void)Run("stop"); }
  PrivatePostgresServer(const PrivatePostgresServer&) = delete;
  PrivatePostgresServer& operator=(const PrivatePostgresServer&) = delete;

  bool started() const { return started_; }
  WarehouseOptions Options() const {
    return {.engine = "postgres", .location = info_.url, .password_file = info_.password_file};
  }
  bool Restart() { return Run("restart"); }

 private:
  bool Run(const std::string& action) {
    const std::string log = dir_.File(action + ".log");
    const std::string command =
        std::string(SILVERWORK_SOURCE_DIR "/scripts/postgres-test-server.sh") + " " + action + " " +
        dir_.path().string() + " >" + log + " 2>&1";
    if (std::system(command.c_str()) == 0) return true;
    std::ifstream in(log);
    std::stringstream text;
    text << in.rdbuf();
    ADD_FAILURE() << "postgres-test-server.sh " << action << " failed: " << text.str();
    return false;
  }

  ScopedTempDir dir_;
  bool started_ = false;
  PostgresTestServer info_;
};

}  // namespace silverwork

#endif  // SILVERWORK_HAVE_POSTGRES
