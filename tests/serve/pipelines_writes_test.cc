// The pipelines API's writes: the operator token (403 with none configured,
// 401 missing or wrong, the token never in a log line or an answer), each
// write landing as one request row for the scheduler and pollable, what the
// scheduler would refuse refused at once with a 400 naming it, and methods.
#include <fmt/format.h>

#include "scheduler/scheduler_store.h"
#include "serve/log_capture.h"
#include "serve/pipelines_harness.h"

namespace silverwork::serve::testing {
namespace {

class PipelinesWritesTest : public PipelinesApiTest {
 protected:
  // The stored request row: kind, pipeline, run, day, range, reprocess, by, state.
  std::vector<std::string> Stored(const std::string& request_id) {
    auto rows = SqlRows(
        "SELECT kind, pipeline, COALESCE(run_id, ''), COALESCE(trigger_day, ''), "
        "COALESCE(range_from, ''), COALESCE(range_to, ''), COALESCE(reprocess, ''), "
        "requested_by, state FROM _sw_scheduler_requests WHERE request_id = ?",
        {Value(request_id)});
    EXPECT_EQ(rows.size(), 1u) << request_id;
    return rows.empty() ? std::vector<std::string>() : rows[0];
  }
};

TEST_F(PipelinesWritesTest, WithoutAConfiguredTokenEveryWriteIs403SayingHowToEnableWrites) {
  StartServer(PipelinesOptions(""));
  const std::string run = DailyRunEnding(20);
  for (const std::string& path : std::vector<std::string>{
           "/api/v1/pipelines/postings_daily/trigger", "/api/v1/pipelines/postings_daily/backfills",
           "/api/v1/pipelines/postings_daily/pause", "/api/v1/pipelines/postings_daily/unpause",
           "/api/v1/runs/" + run + "/clear"}) {
    const json body = PostJson(path, "", 403, "any-token-at-all-123456");
    EXPECT_EQ(body["error"]["code"], "writes_disabled") << path;
    EXPECT_NE(body["error"]["hint"].get<std::string>().find("SILVERWORK_API_TOKEN"),
              std::string::npos);
  }
  const json operator_state = Data("/api/v1/operator");
  EXPECT_EQ(operator_state["writes_enabled"], false);
  EXPECT_EQ(Data("/api/v1/pipelines")["pipelines"].size(), 4u) << "reads stay open";
}

TEST_F(PipelinesWritesTest, AMissingOrWrongTokenIs401AndTheTokenIsNeverLogged) {
  const int64_t requests_before = SqlCount("SELECT COUNT(*) FROM _sw_scheduler_requests");
  LogCapture log;
  StartServer(PipelinesOptions(kOperatorToken));  // after the capture, so it sees the server
  auto missing = Post("/api/v1/pipelines/postings_daily/pause", "", "");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 401);
  EXPECT_EQ(missing->get_header_value("WWW-Authenticate"), R"(Bearer realm="silverwork")");
  const std::string wrong_token = std::string(kOperatorToken) + "x";
  for (const std::string& token :
       {wrong_token, std::string(kOperatorToken).substr(1), std::string("short")}) {
    const json body = PostJson("/api/v1/pipelines/postings_daily/pause", "", 401, token);
    EXPECT_EQ(body["error"]["code"], "unauthorized");
  }
  httplib::Headers basic{{"Authorization", std::string("Basic ") + kOperatorToken}};
  auto wrong_scheme = client_->Post("/api/v1/pipelines/postings_daily/pause", basic, "", "");
  ASSERT_TRUE(wrong_scheme);
  EXPECT_EQ(wrong_scheme->status, 401);
  EXPECT_EQ(SqlCount("SELECT COUNT(*) FROM _sw_scheduler_requests"), requests_before)
      << "nothing refused reaches the scheduler";

  auto accepted = Post("/api/v1/pipelines/postings_daily/pause");
  ASSERT_TRUE(accepted);
  EXPECT_EQ(accepted->status, 202);
  EXPECT_EQ(accepted->body.find(kOperatorToken), std::string::npos);
  server_->Stop();
  EXPECT_EQ(log.Find(kOperatorToken), "");
  EXPECT_EQ(log.Find(wrong_token), "");
  EXPECT_NE(log.Find("API writes: on"), "") << "the capture saw the server's lines";
}

TEST_F(PipelinesWritesTest, TheOperatorEndpointSaysWhetherATokenWorks) {
  EXPECT_EQ(Data("/api/v1/operator")["writes_enabled"], true);
  EXPECT_EQ(Data("/api/v1/operator")["authorized"], false);
  httplib::Headers headers{{"Authorization", std::string("Bearer ") + kOperatorToken}};
  auto response = client_->Get("/api/v1/operator", headers);
  ASSERT_TRUE(response);
  EXPECT_EQ(json::parse(response->body)["data"]["authorized"], true);
}

TEST_F(PipelinesWritesTest, ATriggerIsOneRequestRowAndItsAnswerCanBePolled) {
  const std::string day = LastDay().AddDays(-2).Iso();
  auto response =
      Post("/api/v1/pipelines/postings_daily/trigger", fmt::format(R"({{"date": "{}"}})", day));
  ASSERT_TRUE(response);
  ASSERT_EQ(response->status, 202) << response->body;
  const json data = json::parse(response->body)["data"];
  const std::string id = data["request_id"];
  EXPECT_EQ(data["state"], "pending");
  EXPECT_EQ(data["days"]["from"], day);
  EXPECT_EQ(response->get_header_value("Location"), "/api/v1/requests/" + id);
  EXPECT_EQ(data["poll"], "/api/v1/requests/" + id);
  EXPECT_EQ(Stored(id), (std::vector<std::string>{"trigger", "postings_daily", "", day, "", "", "",
                                                  "api", "pending"}));

  const json polled = Data("/api/v1/requests/" + id);
  EXPECT_EQ(polled["state"], "pending");
  EXPECT_EQ(polled["date"], day);
  // The scheduler answers; the poll shows the answer.
  auto warehouse = OpenWarehouse(PipelinesFixture::Get().warehouse());
  ASSERT_TRUE(warehouse.ok());
  scheduler::SeededRandom random(1);
  scheduler::SchedulerStore store(**warehouse, clock_, random);
  ASSERT_TRUE(
      store.AnswerRequest(id, scheduler::RequestState::kDone, "queued run R", "", {"R"}).ok());
  const json answered = Data("/api/v1/requests/" + id);
  EXPECT_EQ(answered["state"], "done");
  EXPECT_EQ(answered["message"], "queued run R");
  EXPECT_EQ(answered["run_ids"], json::array({"R"}));
}

TEST_F(PipelinesWritesTest, EachWriteStoresItsKind) {
  const json pause = PostJson("/api/v1/pipelines/models_daily/pause", "", 202)["data"];
  EXPECT_EQ(Stored(pause["request_id"])[0], "pause");
  const json unpause = PostJson("/api/v1/pipelines/projects/unpause", "{}", 202)["data"];
  EXPECT_EQ(Stored(unpause["request_id"])[0], "unpause");
  EXPECT_EQ(Stored(unpause["request_id"])[1], "projects");
  const json trigger = PostJson("/api/v1/pipelines/models_daily/trigger", "", 202)["data"];
  EXPECT_EQ(Stored(trigger["request_id"])[3], "") << "no date: the scheduler picks the interval";

  const std::string failed_run = DailyRunEnding(12);
  const json clear = PostJson("/api/v1/runs/" + failed_run + "/clear", "", 202)["data"];
  EXPECT_EQ(clear["run_id"], failed_run);
  EXPECT_EQ(Stored(clear["request_id"]),
            (std::vector<std::string>{"clear", "postings_daily", failed_run, "", "", "", "", "api",
                                      "pending"}));
}

TEST_F(PipelinesWritesTest, ABackfillSaysHowManyDaysItWouldQueue) {
  const Date last = LastDay();
  // last-50..last-40: five missing days (last-50..last-46), the rest backfilled already.
  const std::string from = last.AddDays(-50).Iso(), to = last.AddDays(-40).Iso();
  const json missing =
      PostJson("/api/v1/pipelines/postings_daily/backfills",
               fmt::format(R"({{"from": "{}", "to": "{}"}})", from, to), 202)["data"];
  EXPECT_EQ(missing["days_to_queue"], 5);
  EXPECT_EQ(Stored(missing["request_id"]),
            (std::vector<std::string>{"backfill", "postings_daily", "", "", from, to, "missing",
                                      "api", "pending"}));
  const json all = PostJson(
      "/api/v1/pipelines/postings_daily/backfills",
      fmt::format(R"({{"from": "{}", "to": "{}", "reprocess": "all"}})", from, to), 202)["data"];
  EXPECT_EQ(all["days_to_queue"], 11);
}

TEST_F(PipelinesWritesTest, WhatTheSchedulerWouldRefuseIsA400NamingIt) {
  struct Case {
    std::string path, body, parameter;
  };
  const std::string today = Date::KoreaDay(FixtureNoon()).Iso();
  const Case cases[] = {
      {"/api/v1/pipelines/postings_daily/trigger", fmt::format(R"({{"date": "{}"}})", today),
       "date"},
      {"/api/v1/pipelines/postings_daily/trigger", R"({"date": "2025-13-01"})", "date"},
      {"/api/v1/pipelines/postings_daily/trigger", R"({"date": 20250301})", "date"},
      {"/api/v1/pipelines/postings_daily/trigger", R"({"day": "2025-03-01"})", "day"},
      {"/api/v1/pipelines/postings_daily/trigger", "not json", "body"},
      {"/api/v1/pipelines/postings_daily/trigger", R"(["2025-03-01"])", "body"},
      {"/api/v1/pipelines/postings_daily/backfills", R"({"to": "2025-03-01"})", "from"},
      {"/api/v1/pipelines/postings_daily/backfills", R"({"from": "2025-03-01"})", "to"},
      {"/api/v1/pipelines/postings_daily/backfills",
       R"({"from": "2025-03-05", "to": "2025-03-01"})", "to"},
      {"/api/v1/pipelines/postings_daily/backfills",
       R"({"from": "2025-03-01", "to": "2025-03-02", "reprocess": "some"})", "reprocess"},
      {"/api/v1/pipelines/postings_daily/backfills",
       fmt::format(R"({{"from": "2025-03-01", "to": "{}"}})", today), "to"},
      {"/api/v1/pipelines/projects/backfills", R"({"from": "2025-03-01", "to": "2025-03-02"})",
       "pipeline"},
      {"/api/v1/pipelines/postings_daily/pause", R"({"now": "yes"})", "now"},
  };
  const int64_t requests_before = SqlCount("SELECT COUNT(*) FROM _sw_scheduler_requests");
  for (const Case& bad : cases) {
    const json body = PostJson(bad.path, bad.body, 400);
    EXPECT_EQ(body["error"]["code"], "invalid_parameter") << bad.path << " " << bad.body;
    EXPECT_EQ(body["error"]["parameter"], bad.parameter) << bad.path << " " << bad.body;
    EXPECT_FALSE(body["error"]["hint"].get<std::string>().empty()) << bad.body;
  }
  EXPECT_EQ(SqlCount("SELECT COUNT(*) FROM _sw_scheduler_requests"), requests_before);
}

TEST_F(PipelinesWritesTest, ClearNeedsAKnownRunWithAFailedTask) {
  const json unknown = PostJson("/api/v1/runs/20250101T000000.000Z-00000000/clear", "", 404);
  EXPECT_EQ(unknown["error"]["code"], "not_found");
  const json succeeded = PostJson("/api/v1/runs/" + DailyRunEnding(1) + "/clear", "", 409);
  EXPECT_EQ(succeeded["error"]["code"], "conflict");
  EXPECT_NE(succeeded["error"]["message"].get<std::string>().find("no failed task"),
            std::string::npos);
  const json pipeline = PostJson("/api/v1/pipelines/nightly/pause", "", 404);
  EXPECT_EQ(pipeline["error"]["code"], "not_found");
}

TEST_F(PipelinesWritesTest, WritePathsAnswerOnlyPostAndReadPathsOnlyGet) {
  auto get = client_->Get("/api/v1/pipelines/postings_daily/trigger");
  ASSERT_TRUE(get);
  EXPECT_EQ(get->status, 405);
  EXPECT_EQ(get->get_header_value("Allow"), "POST");
  auto post = Post("/api/v1/pipelines");
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 405);
  EXPECT_EQ(post->get_header_value("Allow"), "GET, HEAD");
}

TEST_F(PipelinesWritesTest, AWarehouseTheSchedulerNeverSetUpCannotTakeRequests) {
  StartServer(PipelinesOptions(kOperatorToken, fixture_options()));
  const json body = PostJson("/api/v1/pipelines/postings_daily/pause", "", 503);
  EXPECT_NE(body["error"]["hint"].get<std::string>().find("silverwork scheduler"),
            std::string::npos);
}

}  // namespace
}  // namespace silverwork::serve::testing
