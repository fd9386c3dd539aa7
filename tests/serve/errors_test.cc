// Errors at the HTTP boundary: each status the server answers with, in the
// one error shape, carrying the request's id (X-Request-Id and the body's
// request_id); a 5xx leaves a log line with the same id. Failures inside the
// server are injected where the server opens the warehouse.
#include <fmt/format.h>

#include <mutex>
#include <stdexcept>

#include "serve/log_capture.h"
#include "serve/raw_connection.h"
#include "serve/responses.h"
#include "serve/serve_harness.h"

namespace silverwork::serve::testing {
namespace {

TEST(HttpFailureTable, EachCategoryAnswersWithItsStatus) {
  struct Expected {
    ErrorCode category;
    int status;
    std::string_view code;
  };
  const Expected table[] = {
      {ErrorCode::kInvalidInput, 400, "invalid_request"},
      {ErrorCode::kNotFound, 404, "not_found"},
      {ErrorCode::kIO, 503, "unavailable"},
      {ErrorCode::kDatabase, 503, "unavailable"},
      {ErrorCode::kCancelled, 503, "unavailable"},
      {ErrorCode::kNetwork, 500, "internal"},
      {ErrorCode::kRemote, 500, "internal"},
      {ErrorCode::kAuth, 500, "internal"},
      {ErrorCode::kQuotaExhausted, 500, "internal"},
      {ErrorCode::kRateLimited, 500, "internal"},
      {ErrorCode::kGone, 500, "internal"},
      {ErrorCode::kCorrupt, 500, "internal"},
      {ErrorCode::kUnsupported, 500, "internal"},
      {ErrorCode::kInternal, 500, "internal"},
  };
  for (const Expected& expected : table) {
    const HttpFailure failure = HttpFailureFor(expected.category);
    EXPECT_EQ(failure.status, expected.status) << ErrorCodeName(expected.category);
    EXPECT_EQ(failure.code, expected.code) << ErrorCodeName(expected.category);
  }
}

TEST(HttpFailureTable, AWarehouseFailureIsTheServersNotTheRequests) {
  EXPECT_EQ(AsServerFailure(Status(ErrorCode::kNotFound, "no such table")).code(), ErrorCode::kIO);
  EXPECT_EQ(AsServerFailure(Status(ErrorCode::kInvalidInput, "bad SQL")).code(),
            ErrorCode::kInternal);
  EXPECT_EQ(AsServerFailure(Status(ErrorCode::kDatabase, "locked")).code(), ErrorCode::kDatabase);
  EXPECT_EQ(AsServerFailure(Status(ErrorCode::kNotFound, "gone", "rebuild")).message(), "gone");
}

// The server's connections to the warehouse, failing on demand once the
// first snapshot is loaded.
class InjectedWarehouse {
 public:
  WarehouseFactory Opener() {
    return [this](const WarehouseOptions& options) -> Result<std::unique_ptr<Warehouse>> {
      std::lock_guard lock(mutex_);
      if (throws_) throw std::runtime_error("injected: the warehouse layer threw");
      if (failure_) return *failure_;
      return OpenWarehouse(options);
    };
  }
  void FailWith(Status failure) {
    std::lock_guard lock(mutex_);
    failure_ = std::move(failure);
  }
  void Throw() {
    std::lock_guard lock(mutex_);
    throws_ = true;
  }

 private:
  std::mutex mutex_;
  std::optional<Status> failure_;
  bool throws_ = false;
};

class Errors : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    ServeOptions options = TestOptions(fixture_options());
    options.open_warehouse = injected_.Opener();
    StartServer(std::move(options));
  }

  // GETs `path` expecting `status` and an error body whose request_id is the
  // X-Request-Id header's; returns the body's "error".
  json ErrorOf(const httplib::Result& response, int status) {
    EXPECT_TRUE(response);
    if (!response) return json();
    EXPECT_EQ(response->status, status) << response->body;
    const std::string id = response->get_header_value("X-Request-Id");
    EXPECT_FALSE(id.empty());
    json body = json::parse(response->body, nullptr, false);
    EXPECT_TRUE(body.contains("error")) << response->body;
    if (!body.contains("error")) return json();
    const json& error = body["error"];
    EXPECT_EQ(error.value("request_id", ""), id) << response->body;
    EXPECT_FALSE(error.value("message", "").empty()) << response->body;
    EXPECT_FALSE(error.value("hint", "").empty()) << response->body;
    return error;
  }

  InjectedWarehouse injected_;
  LogCapture log_;  // outlives the server (TearDown stops it first)
};

TEST_F(Errors, RequestIdsAreTheServersStartAndASequence) {
  const std::string prefix = fmt::format(
      "{:08x}-",
      std::chrono::duration_cast<std::chrono::seconds>(FixtureNoon().time_since_epoch()).count());
  auto first = client_->Get("/healthz");
  auto second = client_->Get("/api/v1/kpis?province=nowhere");
  auto third = client_->Get("/nothing.js");
  ASSERT_TRUE(first && second && third);
  EXPECT_EQ(first->get_header_value("X-Request-Id"), prefix + "1");
  EXPECT_EQ(second->get_header_value("X-Request-Id"), prefix + "2");
  EXPECT_EQ(third->get_header_value("X-Request-Id"), prefix + "3");
}

TEST_F(Errors, BadInputIs400) {
  json error = ErrorOf(client_->Get("/api/v1/kpis?year_from=20x4"), 400);
  EXPECT_EQ(error["code"], "invalid_parameter");
  EXPECT_EQ(error["parameter"], "year_from");

  // Not HTTP at all.
  RawConnection garbage(server_->port());
  garbage.Send("HELLO THERE\r\n\r\n");
  const std::string response = garbage.ReadResponse();
  EXPECT_TRUE(response.starts_with("HTTP/1.1 400")) << response;
  EXPECT_NE(response.find("X-Request-Id: "), std::string::npos) << response;
  EXPECT_NE(response.find("\"code\":\"bad_request\""), std::string::npos) << response;
}

TEST_F(Errors, AnUnknownRouteIs404) {
  json error = ErrorOf(client_->Get("/api/v1/nothing-here"), 404);
  EXPECT_EQ(error["code"], "not_found");
  EXPECT_NE(error["message"].get<std::string>().find("/api/v1/nothing-here"), std::string::npos);

  // Outside the API a missing file is a plain 404, with the id all the same.
  auto file = client_->Get("/nothing.js");
  ASSERT_TRUE(file);
  EXPECT_EQ(file->status, 404);
  EXPECT_FALSE(file->get_header_value("X-Request-Id").empty());
}

TEST_F(Errors, OtherMethodsAre405) {
  for (const char* method : {"POST", "PUT", "PATCH", "DELETE", "OPTIONS"}) {
    httplib::Request request;
    request.method = method;
    request.path = "/api/v1/kpis";
    auto response = client_->send(request);
    json error = ErrorOf(response, 405);
    EXPECT_EQ(error["code"], "method_not_allowed") << method;
    EXPECT_EQ(response->get_header_value("Allow"), "GET, HEAD") << method;
  }
  for (const char* method : {"TRACE", "CONNECT"}) {
    RawConnection connection(server_->port());
    connection.Send(fmt::format("{} /api/v1/kpis HTTP/1.1\r\nHost: silverwork\r\n\r\n", method));
    const std::string response = connection.ReadResponse();
    EXPECT_TRUE(response.starts_with("HTTP/1.1 405")) << response;
    EXPECT_NE(response.find("Allow: GET, HEAD\r\n"), std::string::npos) << response;
    EXPECT_NE(response.find("\"code\":\"method_not_allowed\""), std::string::npos) << response;
  }
}

TEST_F(Errors, ALargeBodyIs413AndALongUriIs414) {
  // Bodies are refused by size before anything reads them.
  json body = ErrorOf(client_->Post("/api/v1/kpis", std::string(10'000, 'x'), "text/plain"), 413);
  EXPECT_EQ(body["code"], "too_large");
  json uri = ErrorOf(client_->Get("/api/v1/kpis?q=" + std::string(9000, 'a')), 414);
  EXPECT_EQ(uri["code"], "uri_too_long");
}

TEST_F(Errors, ABugIs500WithTheIdInTheLog) {
  injected_.FailWith(Status(ErrorCode::kInternal, "injected: a broken invariant"));
  auto response = client_->Get("/api/v1/postings");
  json error = ErrorOf(response, 500);
  EXPECT_EQ(error["code"], "internal");
  // The bug's own words are for the log, not the user.
  EXPECT_EQ(error["message"].get<std::string>().find("invariant"), std::string::npos);
  const std::string id = response->get_header_value("X-Request-Id");
  const std::string line = log_.Find("request " + id + " ");
  EXPECT_NE(line.find("answered 500"), std::string::npos) << line;
  EXPECT_NE(line.find("GET /api/v1/postings"), std::string::npos) << line;
  EXPECT_NE(line.find("injected: a broken invariant"), std::string::npos) << line;

  // The charts, computed from the snapshot, still answer.
  EXPECT_EQ(Data("/api/v1/kpis")["postings"], 3000);
}

TEST_F(Errors, AThrownExceptionIs500WithTheIdInTheLog) {
  injected_.Throw();
  auto response = client_->Get("/api/v1/postings.csv");
  json error = ErrorOf(response, 500);
  EXPECT_EQ(error["code"], "internal");
  const std::string line = log_.Find("request " + response->get_header_value("X-Request-Id") + " ");
  EXPECT_NE(line.find("answered 500"), std::string::npos) << line;
  EXPECT_NE(line.find("injected: the warehouse layer threw"), std::string::npos) << line;
}

TEST_F(Errors, AWarehouseThatCannotBeReadIs503) {
  injected_.FailWith(Status(ErrorCode::kDatabase, "database is locked"));
  for (const char* path : {"/api/v1/postings", "/api/v1/postings.csv"}) {
    auto response = client_->Get(path);
    json error = ErrorOf(response, 503);
    EXPECT_EQ(error["code"], "unavailable") << path;
    EXPECT_NE(error["message"].get<std::string>().find("database is locked"), std::string::npos);
    EXPECT_EQ(response->get_header_value("Retry-After"), "5");
    EXPECT_NE(log_.Find("request " + response->get_header_value("X-Request-Id") + " "), "");
  }
  EXPECT_EQ(Data("/api/v1/kpis")["postings"], 3000);
}

TEST_F(Errors, ATableRebuiltUnderTheServerIs503NotAMissingRoute) {
  FixtureCopy copy;
  StartServer(copy.options(), std::nullopt);
  {
    auto warehouse = copy.Open();
    ASSERT_NE(warehouse, nullptr);
    ASSERT_TRUE(
        warehouse->Execute("ALTER TABLE fct_job_postings RENAME TO fct_job_postings_old").ok());
  }
  json error = ErrorOf(client_->Get("/api/v1/postings?q=K000000042"), 503);
  EXPECT_NE(error["message"].get<std::string>().find("fct_job_postings"), std::string::npos)
      << error;
  EXPECT_EQ(Data("/api/v1/kpis")["postings"], 3000);
}

}  // namespace
}  // namespace silverwork::serve::testing
