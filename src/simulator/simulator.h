// Simulator: an offline, faithful stand-in for the data.go.kr services.
//
// Serves, on 127.0.0.1 by default, over http or (given a certificate) https:
//   GET /B552474/SenuriService/getJobList   100세누리 postings list (XML)
//   GET /B552474/SenuriService/getJobInfo   one posting's detail (XML)
//   GET /api/15050148/v1/uddi:<file-id>     one year's projects file (JSON)
//   GET /oas/docs?namespace=15050148/v1     the projects dataset's OpenAPI
//                                           document, listing its files (no key)
// with the real envelopes, result codes and quirks described in
// shared/spec/datagokr-apis.md, deterministic synthetic data generated from a
// seed (nothing is stored: any posting or project row is computed on demand,
// so a million postings cost no memory), and switchable fault injection.
//
// Thread-safety: Start/Stop from one thread; SetFaults, SetToday and Stats
// may be called from any thread while serving.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/date.h"
#include "common/status.h"

namespace silverwork {

// The key `silverwork simulate` accepts when DATA_GO_KR_SERVICE_KEY is unset
// (and the key a default SimulatorOptions accepts). Not a secret: it is shaped
// like a real portal key (88 base64 characters with '+', '/' and "==") so that
// clients exercise percent-encoding against the simulator.
inline constexpr char kSimulatorDemoKey[] =
    "J6Cus/7pIy+K8iEfnuSRxbEL7LVWO/web5NCfsvI/ilV5c2ORtyO1LfCdk0qWk12dwb4XYaQAkrWvaNAG+nIyw==";

// Paths under base_url(): the postings service (append /getJobList or
// /getJobInfo) and the projects API (append /uddi:<file-id>).
inline constexpr char kSimulatorPostingsPath[] = "/B552474/SenuriService";
inline constexpr char kSimulatorProjectsPath[] = "/api/15050148/v1";
// The projects dataset's OpenAPI document, path and query (append to base_url()).
inline constexpr char kSimulatorProjectsDocumentPath[] = "/oas/docs?namespace=15050148/v1";

// How the projects files change over simulated time (each off by default),
// so that discovery can be exercised offline. Days are the simulated today.
struct ProjectsFileEvents {
  // A file published later: listed in the document, and served, from
  // `published_on` on; its summary carries that date.
  struct Published {
    int year = 0;
    std::string file_id;
    Date published_on;
  };
  // A file revised on `on`: from then its rows are drawn anew (other plan
  // changes, 3% fewer rows) and, unless `keep_summary_date`, its summary
  // carries `on`.
  struct Revised {
    std::string file_id;
    Date on;
    bool keep_summary_date = false;
  };
  // A file withdrawn on `on`: from then the document no longer lists it and
  // its pages answer HTTP 404 with code -4, as the portal does.
  struct Withdrawn {
    std::string file_id;
    Date on;
  };
  std::optional<Published> published;
  std::optional<Revised> revised;
  std::optional<Withdrawn> withdrawn;
};

// What the OpenAPI document route answers instead of the document.
enum class ProjectsDocumentFault {
  kNone,
  kUnavailable,  // HTTP 503 with an HTML page
  kNotJson,      // HTTP 200 with an HTML page
  kNoFiles,      // a Swagger document whose paths hold no /uddi: file
};

struct SimulatorDataOptions {
  uint64_t seed = 20181;
  // Postings exist with start dates (frDd) in [first_day, today].
  Date first_day = Date::FromYmd(2018, 1, 1);
  // The simulated "today"; unset: the real day in Korea, following the clock.
  std::optional<Date> today;
  // Mean postings per day (weekday/weekend shape and noise are added).
  double postings_per_day = 112.0;
  // Each posting's toDd is its frDd plus a whole number of days drawn from
  // [deadline_min_days, deadline_max_days]. Most postings are filled, and
  // read 마감, days before their toDd (the portal's ~350-400 open at ~112
  // a day).
  int deadline_min_days = 7;
  int deadline_max_days = 30;
  // Publish each day's postings one after another between 08:00 and 20:00
  // Korea time by the simulator's clock (createDy says when), instead of all
  // at the day's start: a list read at 10:15 shows the day so far.
  bool publish_over_day = false;
  // Rows per projects file (per year) at scale 1.
  int64_t projects_per_year = 11500;
  // Projects files served: year -> file id (uuid). Defaults to the known ids.
  std::vector<std::pair<int, std::string>> project_files;
  ProjectsFileEvents projects_events;
  // Largest numOfRows/perPage honoured; larger requests are capped.
  int64_t max_rows_per_page = 10000;
};

// Each rate is a probability per call in [0,1]. `first_n` style fields make
// a fault hit the first N calls exactly, for deterministic tests. Calls are
// numbered from the last SetFaults (or Start): SetFaults begins a new epoch in
// which the call counter, the first-N counters, the daily quota and the
// per-second window all restart. Draws hash (seed, call number), so a
// single-threaded caller sees the same faults on every run.
struct SimulatorFaultOptions {
  std::chrono::milliseconds latency{0};         // added to every call
  std::chrono::milliseconds latency_jitter{0};  // plus uniform [0, jitter)
  double error_rate = 0.0;                      // result-code errors at this rate
  std::vector<std::string> error_codes = {"01", "02", "05", "99"};  // drawn uniformly
  int64_t error_first_n = 0;     // the first N calls get an error code
  int64_t daily_quota = 0;       // per operation per simulated day; then code 22 (0 = off)
  int64_t per_second_limit = 0;  // calls per wall-clock second; then code 23 (0 = off)
  double http500_rate = 0.0;
  double http503_rate = 0.0;
  double truncated_rate = 0.0;  // Content-Length promises more than is sent, then close
  double malformed_rate = 0.0;  // HTTP 200 with broken XML/JSON
  double reset_rate = 0.0;      // connection reset (RST) before any response
  double hang_rate = 0.0;       // no answer for `hang`
  std::chrono::milliseconds hang{30'000};
  int64_t http500_first_n = 0, http503_first_n = 0, truncated_first_n = 0, malformed_first_n = 0,
          reset_first_n = 0, hang_first_n = 0;
  // Simulate a retired endpoint: every call answers code 12.
  bool endpoint_gone = false;
  // The OpenAPI document lives on another host than the gateway, so the
  // faults above never touch it; this one does.
  ProjectsDocumentFault document_fault = ProjectsDocumentFault::kNone;
};

struct SimulatorOptions {
  std::string host = "127.0.0.1";
  int port = 0;  // 0: pick a free port
  // The registered key in its decoded form. Requests are accepted when the
  // serviceKey parameter equals it in decoded or percent-encoded form.
  // Empty: kSimulatorDemoKey.
  std::string service_key;
  // Connections served at once (one thread each); more connections wait.
  int worker_threads = 64;
  // A keep-alive connection idle this long is closed, freeing its worker.
  std::chrono::milliseconds idle_timeout{30'000};
  // Serve https with this certificate (chain) and private key, PEM files;
  // empty: plain http.
  std::string tls_certificate_file, tls_key_file;
  // Reads "today" (when data.today is unset) and the per-second window, and
  // is where injected latency passes (a FakeClock: latency advances it and
  // costs no real time). Not owned; must outlive the simulator. Null: the
  // real clock, with latency waited in real time and cut short by Stop().
  Clock* clock = nullptr;
  SimulatorDataOptions data;
  SimulatorFaultOptions faults;
};

struct SimulatorStats {
  int64_t requests = 0;  // every HTTP request, known endpoint or not
  int64_t list_calls = 0;
  int64_t detail_calls = 0;
  int64_t projects_calls = 0;
  int64_t document_calls = 0;           // OpenAPI document requests
  int64_t document_calls_with_key = 0;  // ... that sent a serviceKey (they never should)
  int64_t faults_injected = 0;
};

class Simulator {
 public:
  // Starts serving in background threads; returns once the port is bound.
  static Result<std::unique_ptr<Simulator>> Start(const SimulatorOptions& options);
  virtual ~Simulator() = default;

  virtual int port() const = 0;
  // "http://127.0.0.1:<port>", or "https://..." when serving https.
  virtual std::string base_url() const = 0;
  // Stops accepting, closes connections, joins threads. Idempotent.
  virtual void Stop() = 0;
  // Blocks until Stop() is called from another thread or a signal handler.
  virtual void Wait() = 0;

  virtual void SetFaults(const SimulatorFaultOptions& faults) = 0;
  // The simulated "today" (Korea). Defaults to the real day; postings with
  // frDd after it do not exist yet; postings with toDd before it are 마감.
  // With data.publish_over_day, today's postings exist once the clock has
  // passed their publication instant.
  virtual void SetToday(Date today) = 0;
  virtual SimulatorStats Stats() const = 0;
  // Number of postings currently visible in the list (totalCount).
  virtual int64_t TotalPostings() const = 0;
};

// The file ids the real portal publishes (see the spec). The later file's
// year is unverified; the simulator serves it as 2024.
std::vector<std::pair<int, std::string>> KnownProjectFiles();

// The id of the file `silverwork simulate --publish-projects-file-on` adds.
inline constexpr char kSimulatorLateProjectsFileId[] = "0d5e8b1c-7f3a-4c2e-9b6d-51a0e4c7f2b9";

}  // namespace silverwork
