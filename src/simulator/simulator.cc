#include "simulator/simulator.h"

#include <fmt/format.h>

#include <atomic>
#include <condition_variable>
#include <limits>
#include <mutex>

#include "http/http_client.h"
#include "simulator/envelopes.h"
#include "simulator/faults.h"
#include "simulator/http_server.h"
#include "simulator/postings.h"
#include "simulator/projects.h"
#include "simulator/synthetic_random.h"

namespace silverwork {

std::vector<std::pair<int, std::string>> KnownProjectFiles() {
  return {
      {2018, "86a1651f-3c36-4efe-85f8-d781d61b70d1"},
      {2020, "4f2b83dd-93d0-4d82-b6eb-c1af32641817"},
      {2022, "c2a15a01-c539-4698-a06d-daa5309264a4"},
      {2023, "abd1cfb1-5ba2-491f-9729-84bba214f87d"},
      {2024, "5a9fe759-5344-41ef-94c1-9de71e3e156f"},
  };
}

namespace {

using simulator::FaultDraw;
using simulator::HttpReply;
using simulator::HttpRequest;
using simulator::Operation;

constexpr int64_t kTodayUnset = std::numeric_limits<int64_t>::min();
constexpr int64_t kDefaultPerPage = 10;  // the projects API's default page size
constexpr size_t kMaxNumberDigits = 9;   // keeps page arithmetic far from overflow
constexpr std::string_view kDocumentPath = "/oas/docs";
constexpr std::string_view kDocumentNamespace = "15050148/v1";

HttpReply MakeReply(int status, std::string_view content_type, std::string body) {
  HttpReply reply;
  reply.status = status;
  reply.content_type = std::string(content_type);
  reply.body = std::move(body);
  return reply;
}

HttpReply XmlReply(std::string body) {
  return MakeReply(200, simulator::kXmlContentType, std::move(body));
}

// A positive count parameter (pageNo, numOfRows, page, perPage): its value,
// or the result code its absence ("11") or malformation ("10") earns.
struct CountParam {
  int64_t value = 0;
  std::string_view error_code;
};

CountParam ParseCount(const std::string* text, std::optional<int64_t> default_value) {
  if (text == nullptr || text->empty()) {
    if (default_value) return {*default_value, {}};
    return {0, "11"};
  }
  if (text->size() > kMaxNumberDigits) return {0, "10"};
  int64_t value = 0;
  for (char ch : *text) {
    if (ch < '0' || ch > '9') return {0, "10"};
    value = value * 10 + (ch - '0');
  }
  if (value < 1) return {0, "10"};
  return {value, {}};
}

std::string BaseUrl(bool https, const std::string& host, int port) {
  std::string shown = host.empty() || host == "0.0.0.0" ? "127.0.0.1" : host;
  if (shown.find(':') != std::string::npos) shown = "[" + shown + "]";
  return fmt::format("{}://{}:{}", https ? "https" : "http", shown, port);
}

// Breaks a body so that no XML or JSON parser accepts it: either cut in the
// middle (after the root element opened, so it never closes) or replaced by
// bytes that are not markup at all.
std::string Malform(const std::string& body, uint64_t damage_seed) {
  if (damage_seed % 3 != 0 && body.size() > 8) {
    double keep = 0.3 + 0.4 * simulator::UnitFromBits(simulator::Mix64(damage_seed));
    return body.substr(0, static_cast<size_t>(static_cast<double>(body.size()) * keep));
  }
  return std::string("\x1f\x8b\x08\x00\xef\xbf\xbd\xef\xbf\xbd SERVICE TEMPORARILY \x00\x7f", 33);
}

class SimulatorImpl;
using RouteHandler = HttpReply (SimulatorImpl::*)(const HttpRequest&, std::string_view, Date);

struct Route {
  std::string path;  // exact path, or a prefix when `prefix`
  bool prefix;
  Operation operation;
  RouteHandler handler;
};

class SimulatorImpl final : public Simulator {
 public:
  explicit SimulatorImpl(const SimulatorOptions& options);
  ~SimulatorImpl() override { Stop(); }

  Status Listen();

  int port() const override { return server_->port(); }
  std::string base_url() const override {
    return BaseUrl(server_->https(), options_.host, port());
  }
  void Stop() override;
  void Wait() override;
  void SetFaults(const SimulatorFaultOptions& faults) override { faults_.Set(faults); }
  void SetToday(Date today) override { today_days_.store(today.DaysSinceEpoch()); }
  SimulatorStats Stats() const override;
  int64_t TotalPostings() const override;

 private:
  static const std::vector<Route>& Routes();

  Date Today() const;
  HttpReply Handle(const HttpRequest& request);
  HttpReply Answer(const Route& route, const HttpRequest& request, std::string_view tail,
                   const FaultDraw& draw, bool& faulted);
  bool KeyAccepted(const HttpRequest& request) const;
  HttpReply ErrorReply(Operation operation, std::string_view code) const;
  void CountCall(Operation operation);

  HttpReply ServeList(const HttpRequest& request, std::string_view tail, Date today);
  HttpReply ServeDetail(const HttpRequest& request, std::string_view tail, Date today);
  HttpReply ServeProjects(const HttpRequest& request, std::string_view file_id, Date today);
  // The OpenAPI document: another host than the gateway, so no key, quota
  // or gateway faults; only its own document_fault.
  HttpReply ServeDocument(const HttpRequest& request);

  const SimulatorOptions options_;
  Clock& clock_;
  const std::string key_;
  const std::string encoded_key_;
  mutable simulator::PostingsModel postings_;
  const simulator::ProjectsCatalog projects_;
  simulator::FaultInjector faults_;
  std::atomic<int64_t> today_days_;
  std::unique_ptr<simulator::HttpServer> server_;

  std::atomic<int64_t> requests_{0}, list_calls_{0}, detail_calls_{0}, projects_calls_{0},
      document_calls_{0}, document_calls_with_key_{0}, faults_injected_{0};

  std::mutex stop_mutex_;
  std::condition_variable stopped_signal_;
  bool stopped_ = false;
};

SimulatorImpl::SimulatorImpl(const SimulatorOptions& options)
    : options_(options),
      clock_(options.clock != nullptr ? *options.clock : DefaultClock()),
      key_(options.service_key.empty() ? std::string(kSimulatorDemoKey) : options.service_key),
      encoded_key_(PercentEncode(key_)),
      postings_(options.data.seed, options.data.postings_per_day, options.data.first_day,
                {.deadline_min_days = options.data.deadline_min_days,
                 .deadline_max_days = options.data.deadline_max_days,
                 .publish_over_day = options.data.publish_over_day}),
      projects_(
          options.data.seed, options.data.projects_per_year,
          options.data.project_files.empty() ? KnownProjectFiles() : options.data.project_files,
          options.data.projects_events),
      faults_(options.data.seed, clock_, options.faults),
      today_days_(options.data.today ? options.data.today->DaysSinceEpoch() : kTodayUnset) {}

const std::vector<Route>& SimulatorImpl::Routes() {
  static const std::vector<Route> kRoutes = [] {
    std::string postings = kSimulatorPostingsPath;
    std::string projects = kSimulatorProjectsPath;
    return std::vector<Route>{
        {postings + "/getJobList", false, Operation::kList, &SimulatorImpl::ServeList},
        {postings + "/getJobInfo", false, Operation::kDetail, &SimulatorImpl::ServeDetail},
        {projects + "/uddi:", true, Operation::kProjects, &SimulatorImpl::ServeProjects},
    };
  }();
  return kRoutes;
}

Status SimulatorImpl::Listen() {
  simulator::HttpServerOptions server_options;
  server_options.host = options_.host;
  server_options.port = options_.port;
  server_options.worker_threads = options_.worker_threads;
  server_options.idle_timeout = options_.idle_timeout;
  server_options.tls_certificate_file = options_.tls_certificate_file;
  server_options.tls_key_file = options_.tls_key_file;
  server_options.delay_clock = options_.clock;
  SW_ASSIGN_OR_RETURN(
      server_, simulator::HttpServer::Start(
                   server_options, [this](const HttpRequest& request) { return Handle(request); }));
  return Status::Ok();
}

void SimulatorImpl::Stop() {
  if (server_ != nullptr) server_->Stop();
  std::lock_guard lock(stop_mutex_);
  stopped_ = true;
  stopped_signal_.notify_all();
}

void SimulatorImpl::Wait() {
  std::unique_lock lock(stop_mutex_);
  stopped_signal_.wait(lock, [this] { return stopped_; });
}

SimulatorStats SimulatorImpl::Stats() const {
  SimulatorStats stats;
  stats.requests = requests_.load();
  stats.list_calls = list_calls_.load();
  stats.detail_calls = detail_calls_.load();
  stats.projects_calls = projects_calls_.load();
  stats.document_calls = document_calls_.load();
  stats.document_calls_with_key = document_calls_with_key_.load();
  stats.faults_injected = faults_injected_.load();
  return stats;
}

int64_t SimulatorImpl::TotalPostings() const {
  return postings_.CalendarAt(Today(), clock_.Now())->total();
}

Date SimulatorImpl::Today() const {
  int64_t days = today_days_.load();
  if (days == kTodayUnset) return Date::KoreaDay(clock_.Now());
  return Date(std::chrono::sys_days(std::chrono::days(days)));
}

void SimulatorImpl::CountCall(Operation operation) {
  switch (operation) {
    case Operation::kList:
      ++list_calls_;
      break;
    case Operation::kDetail:
      ++detail_calls_;
      break;
    case Operation::kProjects:
      ++projects_calls_;
      break;
  }
}

HttpReply SimulatorImpl::Handle(const HttpRequest& request) {
  ++requests_;
  if (request.path == kDocumentPath) return ServeDocument(request);
  for (const Route& route : Routes()) {
    bool matches = route.prefix ? request.path.starts_with(route.path) : request.path == route.path;
    if (!matches) continue;
    CountCall(route.operation);
    std::string_view tail = std::string_view(request.path).substr(route.path.size());
    FaultDraw draw = faults_.Draw();
    bool faulted = draw.any_fault();
    HttpReply reply = Answer(route, request, tail, draw, faulted);
    reply.delay = draw.delay;
    if (faulted) ++faults_injected_;
    return reply;
  }
  // The gateway's answer for a path it does not know.
  return MakeReply(404, simulator::kXmlContentType, simulator::GatewayError("12"));
}

// Layers, outermost first: transport, gateway (retired endpoint, key,
// per-second limit, quota), service errors, the service itself, and damage
// to the body on its way out.
HttpReply SimulatorImpl::Answer(const Route& route, const HttpRequest& request,
                                std::string_view tail, const FaultDraw& draw, bool& faulted) {
  HttpReply reply;
  switch (draw.transport) {
    case simulator::TransportFault::kReset:
      reply.fault = simulator::ConnectionFault::kReset;
      return reply;
    case simulator::TransportFault::kHang:
      reply.fault = simulator::ConnectionFault::kHang;
      reply.hang = draw.hang;
      return reply;
    case simulator::TransportFault::kHttp500:
      return MakeReply(500, simulator::kHtmlContentType, simulator::HtmlErrorPage(500));
    case simulator::TransportFault::kHttp503:
      return MakeReply(503, simulator::kHtmlContentType, simulator::HtmlErrorPage(503));
    case simulator::TransportFault::kNone:
      break;
  }
  if (draw.endpoint_gone) {
    reply = ErrorReply(route.operation, "12");
  } else if (!KeyAccepted(request)) {
    reply = ErrorReply(route.operation, "30");
  } else {
    Date today = Today();
    std::string refused = faults_.Admit(route.operation, today);
    faulted = faulted || !refused.empty();
    if (!refused.empty()) {
      reply = ErrorReply(route.operation, refused);
    } else if (!draw.error_code.empty()) {
      reply = ErrorReply(route.operation, draw.error_code);
    } else {
      reply = (this->*route.handler)(request, tail, today);
    }
  }
  if (draw.damage == simulator::BodyDamage::kMalformed) {
    reply.body = Malform(reply.body, draw.damage_seed);
  } else if (draw.damage == simulator::BodyDamage::kTruncated) {
    reply.fault = simulator::ConnectionFault::kTruncate;
  }
  return reply;
}

// The portal issues each key in a decoded and a percent-encoded form; a
// client may send either, encoded once more or not. Anything else (a key
// encoded twice, a wrong key, no key) is not registered.
bool SimulatorImpl::KeyAccepted(const HttpRequest& request) const {
  std::optional<std::string_view> raw = request.RawParam("serviceKey");
  if (!raw) return false;
  return *raw == key_ || *raw == encoded_key_ || PercentDecode(*raw) == key_;
}

HttpReply SimulatorImpl::ErrorReply(Operation operation, std::string_view code) const {
  if (simulator::LookupResultCode(code).from_gateway) {
    return XmlReply(simulator::GatewayError(code));
  }
  if (operation == Operation::kProjects) {
    return MakeReply(200, simulator::kJsonContentType, simulator::JsonError(code, 0));
  }
  return XmlReply(simulator::XmlHeaderError(code));
}

HttpReply SimulatorImpl::ServeList(const HttpRequest& request, std::string_view /*tail*/,
                                   Date today) {
  CountParam page = ParseCount(request.Param("pageNo"), std::nullopt);
  CountParam rows = ParseCount(request.Param("numOfRows"), std::nullopt);
  for (const CountParam& param : {page, rows}) {
    if (!param.error_code.empty()) return XmlReply(simulator::XmlHeaderError(param.error_code));
  }
  int64_t rows_per_page = std::min(rows.value, options_.data.max_rows_per_page);
  auto calendar = postings_.CalendarAt(today, clock_.Now());
  int64_t total = calendar->total();
  // Newest first: list position p is posting index total - 1 - p.
  int64_t first = (page.value - 1) * rows_per_page;
  int64_t end = std::min(total, first + rows_per_page);
  std::string items;
  for (int64_t position = first; position < end; ++position) {
    simulator::Posting posting = postings_.MakePosting(*calendar, total - 1 - position, clock_.Now());
    simulator::AppendListItem(posting, today, items);
  }
  return XmlReply(simulator::XmlResponse({.items = items,
                                          .num_of_rows = rows_per_page,
                                          .page_no = page.value,
                                          .total_count = total,
                                          .self_closing_when_empty = page.value % 2 == 0}));
}

HttpReply SimulatorImpl::ServeDetail(const HttpRequest& request, std::string_view /*tail*/,
                                     Date today) {
  const std::string* id = request.Param("id");
  if (id == nullptr || id->empty()) return XmlReply(simulator::XmlHeaderError("11"));
  auto calendar = postings_.CalendarAt(today, clock_.Now());
  std::optional<int64_t> index = postings_.FindJobId(*calendar, *id);
  if (!index) {
    return XmlReply(simulator::XmlResponse(
        {.num_of_rows = 1, .page_no = 1, .total_count = 0, .result_code = "03"}));
  }
  std::string item;
  simulator::AppendDetailItem(postings_.MakePosting(*calendar, *index, clock_.Now()), item);
  return XmlReply(
      simulator::XmlResponse({.items = item, .num_of_rows = 1, .page_no = 1, .total_count = 1}));
}

HttpReply SimulatorImpl::ServeProjects(const HttpRequest& request, std::string_view file_id,
                                       Date today) {
  std::optional<simulator::ServedProjectsFile> file = projects_.ServedOn(file_id, today);
  if (!file) {
    // What odcloud answers for a file it does not publish (any more).
    return MakeReply(404, simulator::kJsonContentType,
                     simulator::OdcloudError(-4, simulator::kOdcloudUnregisteredMessage));
  }
  CountParam page = ParseCount(request.Param("page"), 1);
  CountParam per_page = ParseCount(request.Param("perPage"), kDefaultPerPage);
  for (const CountParam& param : {page, per_page}) {
    if (!param.error_code.empty()) {
      return MakeReply(200, simulator::kJsonContentType, simulator::JsonError(param.error_code, 0));
    }
  }
  int64_t rows = std::min(per_page.value, options_.data.max_rows_per_page);
  return MakeReply(200, simulator::kJsonContentType, projects_.PageJson(*file, page.value, rows));
}

HttpReply SimulatorImpl::ServeDocument(const HttpRequest& request) {
  ++document_calls_;
  if (request.Param("serviceKey") != nullptr) ++document_calls_with_key_;
  const std::string* name_space = request.Param("namespace");
  if (name_space == nullptr || *name_space != kDocumentNamespace) {
    return MakeReply(404, simulator::kHtmlContentType, simulator::HtmlErrorPage(404));
  }
  switch (faults_.DocumentFault()) {
    case ProjectsDocumentFault::kUnavailable:
      ++faults_injected_;
      return MakeReply(503, simulator::kHtmlContentType, simulator::HtmlErrorPage(503));
    case ProjectsDocumentFault::kNotJson:
      ++faults_injected_;
      return MakeReply(200, simulator::kHtmlContentType,
                       "<html><body><h1>서비스 점검 중입니다</h1></body></html>");
    case ProjectsDocumentFault::kNoFiles:
      ++faults_injected_;
      return MakeReply(200, simulator::kJsonContentType,
                       projects_.OpenApiDocument(Today(), /*list_files=*/false));
    case ProjectsDocumentFault::kNone:
      break;
  }
  return MakeReply(200, simulator::kJsonContentType, projects_.OpenApiDocument(Today()));
}

Status ValidateOptions(const SimulatorOptions& options) {
  auto invalid = [](std::string what, std::string hint) {
    return Status(ErrorCode::kInvalidInput, "simulator: " + std::move(what), std::move(hint));
  };
  const SimulatorDataOptions& data = options.data;
  if (data.postings_per_day < 0 || data.projects_per_year < 0) {
    return invalid("postings per day and projects per year must not be negative",
                   "pass 0 or a positive number");
  }
  if (data.max_rows_per_page < 1 || options.worker_threads < 1) {
    return invalid("max rows per page and worker threads must be at least 1", "raise them");
  }
  constexpr int kMaxDeadlineDays = 3650;
  if (data.deadline_min_days < 0 || data.deadline_max_days < data.deadline_min_days ||
      data.deadline_max_days > kMaxDeadlineDays) {
    return invalid(fmt::format("deadline days {}..{} are not a range within 0..{}",
                               data.deadline_min_days, data.deadline_max_days, kMaxDeadlineDays),
                   "give the shortest and the longest days from frDd to toDd, shortest first, "
                   "e.g. 14 and 42");
  }
  const SimulatorFaultOptions& faults = options.faults;
  for (double rate :
       {faults.error_rate, faults.http500_rate, faults.http503_rate, faults.truncated_rate,
        faults.malformed_rate, faults.reset_rate, faults.hang_rate}) {
    if (rate < 0 || rate > 1) {
      return invalid(fmt::format("fault rate {} is outside [0, 1]", rate),
                     "rates are probabilities per call, e.g. 0.05");
    }
  }
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<Simulator>> Simulator::Start(const SimulatorOptions& options) {
  SW_RETURN_IF_ERROR(ValidateOptions(options));
  auto simulator = std::make_unique<SimulatorImpl>(options);
  SW_RETURN_IF_ERROR(simulator->Listen());
  return std::unique_ptr<Simulator>(std::move(simulator));
}

}  // namespace silverwork
