// `silverwork simulate` as a command, through the binary: started on a free
// port with its fault flags, its URL read from what it prints, called with
// the real client over http and https, stopped with SIGTERM. And `silverwork
// collect` over https, trusting the CA named by [http] ca_file.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "http/http_client.h"
#include "http/test_certificates.h"
#include "process.h"
#include "scoped_temp_dir.h"
#include "simulate_process.h"
#include "simulator/simulator.h"
#include "warehouse/warehouse.h"

namespace silverwork::testing {
namespace {

using namespace std::chrono_literals;

constexpr std::chrono::milliseconds kPatient = 60s;

// The simulator over a month of small days, with FLAGS.
class TestSimulator : public SimulateProcess {
 public:
  explicit TestSimulator(const std::vector<std::string>& flags)
      : SimulateProcess(WithDefaults(flags)) {}

  std::string ListUrl(int page, int rows) const {
    return url() + kSimulatorPostingsPath + "/getJobList?pageNo=" + std::to_string(page) +
           "&numOfRows=" + std::to_string(rows) + "&serviceKey=" + PercentEncode(kSimulatorDemoKey);
  }

 private:
  static std::vector<std::string> WithDefaults(const std::vector<std::string>& flags) {
    std::vector<std::string> args{
        "--from", "2025-06-01",          "--today", "2025-06-30", "--postings-per-day",
        "20",     "--projects-per-year", "30"};
    args.insert(args.end(), flags.begin(), flags.end());
    return args;
  }
};

std::unique_ptr<HttpClient> TrustingClient() {
  HttpClientOptions options;
  options.ca_file = SharedTestTls().pki.ca_file();
  options.proxies = {};
  return CreateHttpClient(options);
}

bool HasCode(const std::string& body, const std::string& code) {
  return body.find("<resultCode>" + code + "</resultCode>") != std::string::npos ||
         body.find("<returnReasonCode>" + code + "</returnReasonCode>") != std::string::npos;
}

// The first list call answers result code `kCode` ("00", "05", ...).
template <int kCode>
void ExpectResultCode(HttpClient& client, const TestSimulator& simulator) {
  auto response = client.Get(simulator.ListUrl(1, 5), "(list)", kPatient);
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_TRUE(HasCode(response->body, (kCode < 10 ? "0" : "") + std::to_string(kCode)))
      << response->body;
}

// The first list call answers HTTP `kStatus`.
template <int kStatus>
void ExpectStatus(HttpClient& client, const TestSimulator& simulator) {
  auto response = client.Get(simulator.ListUrl(1, 5), "(list)", kPatient);
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, kStatus);
}

struct FlagCase {
  const char* name;
  std::vector<std::string> flags;
  int faults;  // what the simulator counts as injected, in its summary
  // Calls the simulator and checks what the fault does to the calls.
  void (*check)(HttpClient& client, const TestSimulator& simulator);
};

const FlagCase kFlagCases[] = {
    {"none", {}, 0, &ExpectResultCode<0>},
    {"reset",
     {"--reset-rate", "1"},
     1,
     [](HttpClient& client, const TestSimulator& simulator) {
       auto response = client.Get(simulator.ListUrl(1, 5), "(list)", kPatient);
       EXPECT_EQ(response.status().message(),
                 "GET (list) failed: Failure when receiving data from the peer");
     }},
    {"truncated",
     {"--truncated-rate", "1"},
     1,
     [](HttpClient& client, const TestSimulator& simulator) {
       auto response = client.Get(simulator.ListUrl(1, 5), "(list)", kPatient);
       EXPECT_EQ(response.status().message(), "GET (list) failed: Transferred a partial file");
     }},
    {"hang",
     {"--hang-rate", "1", "--hang-ms", "3600000"},
     1,
     [](HttpClient& client, const TestSimulator& simulator) {
       auto response = client.Get(simulator.ListUrl(1, 5), "(list)", 100ms);
       EXPECT_EQ(response.status().message(), "GET (list) failed: Timeout was reached");
     }},
    {"http500", {"--http500-rate", "1"}, 1, &ExpectStatus<500>},
    {"http503", {"--http503-rate", "1"}, 1, &ExpectStatus<503>},
    {"malformed",
     {"--malformed-rate", "1"},
     1,
     [](HttpClient& client, const TestSimulator& simulator) {
       auto response = client.Get(simulator.ListUrl(1, 5), "(list)", kPatient);
       ASSERT_TRUE(response.ok()) << response.status().ToString();
       EXPECT_EQ(response->status, 200);
       EXPECT_EQ(response->body.find("</response>"), std::string::npos) << response->body;
     }},
    {"error_codes", {"--error-rate", "1", "--error-codes", "05"}, 1, &ExpectResultCode<5>},
    {"quota",
     {"--quota", "1"},
     1,
     [](HttpClient& client, const TestSimulator& simulator) {
       auto first = client.Get(simulator.ListUrl(1, 5), "(list)", kPatient);
       auto second = client.Get(simulator.ListUrl(2, 5), "(list)", kPatient);
       ASSERT_TRUE(first.ok() && second.ok());
       EXPECT_TRUE(HasCode(first->body, "00")) << first->body;
       EXPECT_TRUE(HasCode(second->body, "22")) << second->body;
     }},
    {"gone", {"--gone"}, 1, &ExpectResultCode<12>},
    {"latency",
     {"--latency-ms", "300"},
     0,
     [](HttpClient& client, const TestSimulator& simulator) {
       auto started = std::chrono::steady_clock::now();
       auto response = client.Get(simulator.ListUrl(1, 5), "(list)", kPatient);
       ASSERT_TRUE(response.ok()) << response.status().ToString();
       EXPECT_GE(std::chrono::steady_clock::now() - started, 300ms) << "a lower bound only";
     }},
};

class SimulateCommand : public ::testing::TestWithParam<std::tuple<bool, FlagCase>> {};

TEST_P(SimulateCommand, FaultFlagsActThroughTheBinary) {
  const auto& [https, fault] = GetParam();
  std::vector<std::string> flags = fault.flags;
  if (https) {
    flags.insert(flags.end(), {"--tls-cert", SharedTestTls().server.certificate_file, "--tls-key",
                               SharedTestTls().server.key_file});
  }
  TestSimulator simulator(flags);
  ASSERT_TRUE(simulator.url().starts_with(https ? "https://127.0.0.1:" : "http://127.0.0.1:"))
      << simulator.printed() << simulator.Stderr();
  EXPECT_NE(simulator.printed().find("service key: the built-in demo key"), std::string::npos);
  auto client = TrustingClient();
  fault.check(*client, simulator);
  EXPECT_EQ(simulator.Stop(), 0) << simulator.Stderr();
  EXPECT_NE(simulator.Stderr().find(", " + std::to_string(fault.faults) + " faults\n"),
            std::string::npos)
      << simulator.Stderr();
}

INSTANTIATE_TEST_SUITE_P(
    EveryFlag, SimulateCommand,
    ::testing::Combine(::testing::Bool(), ::testing::ValuesIn(kFlagCases)),
    [](const ::testing::TestParamInfo<std::tuple<bool, FlagCase>>& param_info) {
      return std::string(std::get<0>(param_info.param) ? "https_" : "http_") +
             std::get<1>(param_info.param).name;
    });

TEST(SimulateTls, AClientWithoutTheCaIsRefusedAndTheServerCarriesOn) {
  TestSimulator simulator({"--tls-cert", SharedTestTls().server.certificate_file, "--tls-key",
                           SharedTestTls().server.key_file});
  HttpClientOptions untrusting;
  untrusting.proxies = {};
  auto refused = CreateHttpClient(untrusting)->Get(simulator.ListUrl(1, 5), "(list)", kPatient);
  EXPECT_EQ(refused.status().code(), ErrorCode::kAuth) << refused.status().ToString();
  EXPECT_TRUE(TrustingClient()->Get(simulator.ListUrl(1, 5), "(list)", kPatient).ok());
  EXPECT_EQ(simulator.Stop(), 0);
}

TEST(SimulateTls, TheFlagsComeTogetherAndMustBeUsable) {
  const auto& tls = SharedTestTls();
  TestSimulator half({"--tls-cert", tls.server.certificate_file});
  EXPECT_EQ(half.WaitForExit(), 2) << "a usage error";
  EXPECT_NE(half.Stderr().find("--tls-key"), std::string::npos) << half.Stderr();

  TestPki other;
  TestSimulator mismatched({"--tls-cert", tls.server.certificate_file, "--tls-key",
                            other.IssueServer("other", {"127.0.0.1"}).key_file});
  EXPECT_EQ(mismatched.WaitForExit(), 1);
  EXPECT_NE(mismatched.Stderr().find("does not match the certificate"), std::string::npos)
      << mismatched.Stderr();
  EXPECT_NE(mismatched.Stderr().find("--tls-cert"), std::string::npos) << mismatched.Stderr();
}

// `silverwork collect` against an https simulator: with [http] ca_file it
// loads what the same command loads over http; without, it stops at once
// saying what to set.
class CollectOverHttps : public ::testing::Test {
 protected:
  std::unique_ptr<Simulator> StartSimulator(bool https) {
    SimulatorOptions options;
    options.data.seed = 7;
    options.data.first_day = Date::FromYmd(2025, 6, 1);
    options.data.today = Date::FromYmd(2025, 6, 30);
    options.data.postings_per_day = 15;
    options.data.projects_per_year = 40;
    if (https) {
      options.tls_certificate_file = SharedTestTls().server.certificate_file;
      options.tls_key_file = SharedTestTls().server.key_file;
    }
    auto started = Simulator::Start(options);
    if (!started.ok()) throw std::runtime_error(started.status().ToString());
    return std::move(started).value();
  }

  // Runs `collect <what>` against `base_url` into `name`/; the exit code.
  int Collect(const std::string& name, const std::string& base_url, const std::string& ca_file,
              const std::vector<std::string>& what) {
    std::string root = dir_.File(name);
    std::filesystem::create_directories(root);
    std::ofstream config(root + "/silverwork.toml");
    config << "[warehouse]\npath = \"" << root << "/warehouse.db\"\n"
           << "[lake]\npath = \"" << root << "/lake\"\nfsync = false\n"
           << "[postings]\nbase_url = \"" << base_url << "\"\nrows_per_page = 100\n"
           << "concurrency = 4\ncalls_per_second = 0\ncalls_per_day = 0\nlookback_days = 0\n"
           << "backoff_base_ms = 5\nbackoff_max_ms = 50\n"
           << "[projects]\nbase_url = \"" << base_url << "\"\nper_page = 50\n"
           << "openapi_url = \"" << base_url << kSimulatorProjectsDocumentPath << "\"\n"
           << "calls_per_second = 0\ncalls_per_day = 0\n";
    if (!ca_file.empty()) config << "[http]\nca_file = \"" << ca_file << "\"\n";
    config.close();
    std::vector<std::string> argv{SILVERWORK_BINARY, "--config", root + "/silverwork.toml",
                                  "collect"};
    argv.insert(argv.end(), what.begin(), what.end());
    ChildProcess process(argv, {{"DATA_GO_KR_SERVICE_KEY", kSimulatorDemoKey}}, root + "/stdout",
                         root + "/stderr");
    return process.Wait();
  }

  std::string Stderr(const std::string& name) const {
    return ReadFile(dir_.File(name + "/stderr"));
  }

  // Every loaded posting's id, start day and detail status, one line each.
  std::set<std::string> Postings(const std::string& name) const {
    auto warehouse =
        OpenWarehouse({.engine = "sqlite", .location = dir_.File(name + "/warehouse.db")});
    if (!warehouse.ok()) throw std::runtime_error(warehouse.status().ToString());
    std::set<std::string> rows;
    auto status = (*warehouse)
                      ->Query(
                          "SELECT jobId, frDd, _detail_status, _list_hash = _detail_list_hash FROM "
                          "raw_postings",
                          {}, [&](const Row& row) {
                            std::string line;
                            for (const Value& value : row)
                              line += (IsNull(value) ? "∅" : ValueToString(value)) + " ";
                            rows.insert(line);
                            return Status::Ok();
                          });
    if (!status.ok()) throw std::runtime_error(status.ToString());
    return rows;
  }

  ScopedTempDir dir_;
};

TEST_F(CollectOverHttps, LoadsWhatPlainHttpLoads) {
  auto plain = StartSimulator(false);
  auto secure = StartSimulator(true);
  const std::vector<std::string> window{"postings", "--from", "2025-06-24", "--to", "2025-06-30"};
  ASSERT_EQ(Collect("http", plain->base_url(), "", window), 0) << Stderr("http");
  ASSERT_EQ(Collect("https", secure->base_url(), SharedTestTls().pki.ca_file(), window), 0)
      << Stderr("https");
  std::set<std::string> over_http = Postings("http");
  EXPECT_GT(over_http.size(), 50u);
  EXPECT_EQ(Postings("https"), over_http);
  EXPECT_EQ(Collect("https", secure->base_url(), SharedTestTls().pki.ca_file(), {"projects"}), 0)
      << Stderr("https");
  EXPECT_GT(secure->Stats().projects_calls, 0);
  EXPECT_GT(secure->Stats().document_calls, 0) << "the OpenAPI document over https too";
}

TEST_F(CollectOverHttps, WithoutTheCaItStopsAtOnceSayingWhatToSet) {
  auto secure = StartSimulator(true);
  EXPECT_EQ(Collect("untrusted", secure->base_url(), "", {"postings", "--days", "1"}), 1);
  std::string errors = Stderr("untrusted");
  EXPECT_NE(errors.find("the certificate of 127.0.0.1 is not trusted"), std::string::npos)
      << errors;
  EXPECT_NE(errors.find("[http] ca_file"), std::string::npos) << errors;
  EXPECT_EQ(secure->Stats().requests, 0);
}

}  // namespace
}  // namespace silverwork::testing
