// HttpClient::Post and HttpResponse::headers, against a loopback receiver.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>

#include "http/http_client.h"
#include "http_receiver.h"

namespace silverwork {
namespace {

using namespace std::chrono_literals;
using testing::LoopbackReceiver;
using testing::ScriptedAnswer;

class HttpPostTest : public ::testing::Test {
 protected:
  std::unique_ptr<HttpClient> client_ = CreateHttpClient();
};

TEST_F(HttpPostTest, SendsTheBodyAndContentTypeAndReadsTheAnswersHeaders) {
  LoopbackReceiver receiver(LoopbackReceiver::Sequence(
      {{.status = 429, .body = "rate_limited", .headers = {{"Retry-After", "7"}}}}));
  const std::string body = R"({"text":"작업 실패 & <b>"})";
  auto response =
      client_->Post(receiver.Url("/hook/path"), "(shown)", "application/json", body, 5s);
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 429);
  EXPECT_EQ(response->body, "rate_limited");
  ASSERT_NE(response->Header("retry-after"), nullptr);
  EXPECT_EQ(*response->Header("retry-after"), "7");
  EXPECT_EQ(response->Header("Retry-After"), nullptr) << "names are looked up lower-case";
  EXPECT_EQ(response->Header("x-missing"), nullptr);

  auto requests = receiver.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].path, "/hook/path");
  EXPECT_EQ(requests[0].content_type, "application/json");
  EXPECT_EQ(requests[0].body, body);
}

TEST_F(HttpPostTest, AnEmptyBodyIsSentAsEmpty) {
  LoopbackReceiver receiver;
  auto response = client_->Post(receiver.Url("/"), "(shown)", "text/plain", "", 5s);
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 200);
  ASSERT_EQ(receiver.requests().size(), 1u);
  EXPECT_EQ(receiver.requests()[0].body, "");
}

TEST_F(HttpPostTest, ARedirectIsAnsweredNotFollowed) {
  LoopbackReceiver receiver(LoopbackReceiver::Sequence(
      {{.status = 302, .body = "", .headers = {{"Location", "/elsewhere"}}}}));
  auto response = client_->Post(receiver.Url("/hook"), "(shown)", "application/json", "{}", 5s);
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 302);
  ASSERT_NE(response->Header("location"), nullptr);
  EXPECT_EQ(receiver.requests().size(), 1u);
}

TEST_F(HttpPostTest, AGetAfterAPostIsAPlainGetWithHeaders) {
  LoopbackReceiver receiver(LoopbackReceiver::Sequence(
      {{.body = "first"}, {.body = "second", .headers = {{"X-N", "2"}}}}));
  ASSERT_TRUE(client_->Post(receiver.Url("/a"), "(shown)", "application/json", "{}", 5s).ok());
  auto response = client_->Get(receiver.Url("/b"), "(shown)", 5s);
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->body, "second");
  ASSERT_NE(response->Header("x-n"), nullptr);
  EXPECT_EQ(*response->Header("x-n"), "2");
  EXPECT_NE(response->Header("content-length"), nullptr);
  auto requests = receiver.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[1].method, "GET");
  EXPECT_EQ(requests[1].body, "");
}

TEST_F(HttpPostTest, ARefusedConnectionNamesOnlyTheShownUrl) {
  const std::string url =
      "http://127.0.0.1:" + std::to_string(testing::UnusedLoopbackPort()) + "/secret-token";
  auto response = client_->Post(url, "example/…", "application/json", "{}", 2s);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), ErrorCode::kNetwork);
  EXPECT_EQ(response.status().message().rfind("POST example/… failed: ", 0), 0u)
      << response.status().message();
  EXPECT_EQ(response.status().ToString().find("secret-token"), std::string::npos);
}


}  // namespace
}  // namespace silverwork
