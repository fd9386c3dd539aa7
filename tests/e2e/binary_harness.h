// The silverwork binary run as a user would, against a simulator on
// loopback: a temporary directory with a config (warehouse, lake with fsync,
// log file, both sources at the simulator), a registered key with the
// characters that need encoding, and the queries the end-to-end tests
// compare with. Not thread-safe; one per test.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "../ingest/ingest_harness.h"
#include "process.h"

namespace silverwork::testing {

// A key no real portal would issue, with the characters that need encoding.
inline constexpr const char* kMarkerKey = "LEAKMARKER+k3y/ZZtop9Secret==";

class BinaryHarness {
 public:
  explicit BinaryHarness(SimulatorOptions world = SmallWorldOptions()) {
    world.service_key = kMarkerKey;
    auto started = Simulator::Start(world);
    if (!started.ok()) throw std::runtime_error(started.status().ToString());
    simulator = std::move(started).value();
    config_path = WriteConfig("silverwork.toml", WarehousePath());
  }

  // Writes a config named `name` in the directory, for a warehouse at
  // `warehouse_path` and the harness's lake, with `top_level` lines (such as
  // service_key_file = "...") first; returns its path.
  std::string WriteConfig(const std::string& name, const std::string& warehouse_path,
                          const std::string& top_level = "") const {
    return WriteConfigWith(name, "path = \"" + warehouse_path + "\"\n", top_level);
  }
  // The same for a PostgreSQL warehouse: `server`'s url and password file.
  std::string WritePostgresConfig(const std::string& name, const WarehouseOptions& server,
                                  const std::string& top_level = "") const {
    return WriteConfigWith(name,
                           "engine = \"postgres\"\nurl = \"" + server.location +
                               "\"\npassword_file = \"" + server.password_file + "\"\n",
                           top_level);
  }
  // A config whose [warehouse] section holds `warehouse_lines`.
  std::string WriteConfigWith(const std::string& name, const std::string& warehouse_lines,
                              const std::string& top_level) const {
    std::string path = dir.path() + "/" + name;
    std::ofstream(path) << top_level << "log_file = \"" << LogPath() << "\"\n"
                        << "[warehouse]\n" << warehouse_lines
                        << "[lake]\npath = \"" << LakePath() << "\"\nfsync = true\n"
                        << "[postings]\nbase_url = \"" << simulator->base_url() << "\"\n"
                        << "rows_per_page = 100\nconcurrency = 4\ncalls_per_second = 0\n"
                        << "calls_per_day = 0\nlookback_days = 2\nbatch_size = 20\n"
                        << "backoff_base_ms = 5\nbackoff_max_ms = 50\ntimeout_ms = 3000\n"
                        << "[projects]\nbase_url = \"" << simulator->base_url() << "\"\n"
                        << "openapi_url = \"" << simulator->base_url()
                        << kSimulatorProjectsDocumentPath << "\"\n"
                        << "per_page = 50\ncalls_per_second = 0\ncalls_per_day = 0\n";
    return path;
  }

  // Starts the binary with `args` and the key in the environment; its
  // stdout and stderr are in Stdout() and Stderr() until the next start.
  std::unique_ptr<ChildProcess> Start(const std::vector<std::string>& args,
                                      const std::string& key = kMarkerKey) {
    return StartWith(config_path, args, key);
  }
  std::unique_ptr<ChildProcess> StartWith(const std::string& config,
                                          const std::vector<std::string>& args,
                                          const std::string& key = kMarkerKey) {
    std::vector<std::string> argv{SILVERWORK_BINARY, "--config", config};
    argv.insert(argv.end(), args.begin(), args.end());
    ++starts_;
    return std::make_unique<ChildProcess>(
        argv, std::map<std::string, std::string>{{"DATA_GO_KR_SERVICE_KEY", key}}, StdoutPath(),
        StderrPath());
  }
  // Start()s and waits for the exit code.
  int Run(const std::vector<std::string>& args, const std::string& key = kMarkerKey) {
    return RunWith(config_path, args, key);
  }
  int RunWith(const std::string& config, const std::vector<std::string>& args,
              const std::string& key = kMarkerKey) {
    return StartWith(config, args, key)->Wait();
  }
  std::string Stdout() const { return ReadFile(StdoutPath()); }
  std::string Stderr() const { return ReadFile(StderrPath()); }

  // The latest start's outputs; every start's are kept, numbered.
  std::string StdoutPath() const { return OutputPath("stdout"); }
  std::string StderrPath() const { return OutputPath("stderr"); }
  std::string LogPath() const { return dir.path() + "/silverwork.log"; }
  std::string LakePath() const { return dir.path() + "/lake"; }
  std::string WarehousePath() const { return dir.path() + "/warehouse.db"; }

  std::unique_ptr<Warehouse> OpenWarehouse(const std::string& path = "") const {
    auto opened = silverwork::OpenWarehouse(
        {.engine = "sqlite", .location = path.empty() ? WarehousePath() : path});
    if (!opened.ok()) throw std::runtime_error(opened.status().ToString());
    return std::move(opened).value();
  }

  TempDir dir;
  std::unique_ptr<Simulator> simulator;
  std::string config_path;

 private:
  std::string OutputPath(const std::string& stream) const {
    return dir.path() + "/" + stream + "-" + std::to_string(starts_) + ".txt";
  }

  int starts_ = 0;
};

// Job ids in [from, to] whose detail is loaded and matches their list item.
inline std::set<std::string> CompletedJobIds(Warehouse& warehouse, Date from, Date to) {
  std::set<std::string> ids;
  std::vector<Value> params{from.Compact(), to.Compact()};
  EXPECT_TRUE(warehouse
                  .Query("SELECT jobId FROM raw_postings WHERE frDd >= ? AND frDd <= ? AND "
                         "_detail_status = 'ok' AND _detail_list_hash = _list_hash",
                         params,
                         [&](const Row& row) {
                           ids.insert(std::get<std::string>(row[0]));
                           return Status::Ok();
                         })
                  .ok());
  return ids;
}

}  // namespace silverwork::testing
