// Task logs: ReadLogChunk on files written here (the whole log, the last
// lines, from an offset, the byte limit, UTF-8 boundaries), and the log
// endpoint on the scheduler fixture's tries: the file as written, tail and
// offset, following a running try as its log grows, and 400/404s.
#include "serve/task_logs.h"

#include <fmt/format.h>

#include <fstream>

#include "serve/pipelines_harness.h"

namespace silverwork::serve::testing {
namespace {

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void WriteFile(const fs::path& path, const std::string& text, bool append = false) {
  std::ofstream out(path, std::ios::binary | (append ? std::ios::app : std::ios::trunc));
  out << text;
}

class ReadLogChunkTest : public ::testing::Test {
 protected:
  fs::path Log(const std::string& text) {
    fs::path path = folder_.path() / "1.log";
    WriteFile(path, text);
    return path;
  }
  TempFolder folder_;
};

TEST_F(ReadLogChunkTest, ReadsTheWholeLogOrFromAnOffset) {
  const fs::path path = Log("one\ntwo\nthree\n");
  auto whole = ReadLogChunk(path, {});
  ASSERT_TRUE(whole.ok());
  EXPECT_EQ(whole->text, "one\ntwo\nthree\n");
  EXPECT_EQ(whole->offset, 0);
  EXPECT_EQ(whole->next_offset, 14);
  EXPECT_EQ(whole->size, 14);
  EXPECT_FALSE(whole->truncated);
  auto rest = ReadLogChunk(path, {.offset = 4});
  ASSERT_TRUE(rest.ok());
  EXPECT_EQ(rest->text, "two\nthree\n");
  auto at_end = ReadLogChunk(path, {.offset = 14});
  ASSERT_TRUE(at_end.ok());
  EXPECT_EQ(at_end->text, "");
  EXPECT_EQ(at_end->next_offset, 14);
  auto beyond = ReadLogChunk(path, {.offset = 15});
  EXPECT_EQ(beyond.status().code(), ErrorCode::kInvalidInput);
}

TEST_F(ReadLogChunkTest, TailGivesTheLastLinesWithOrWithoutAFinalNewline) {
  auto tail = ReadLogChunk(Log("one\ntwo\nthree\n"), {.tail_lines = 2});
  ASSERT_TRUE(tail.ok());
  EXPECT_EQ(tail->text, "two\nthree\n");
  EXPECT_EQ(tail->offset, 4);
  EXPECT_EQ(tail->next_offset, 14);
  auto unfinished = ReadLogChunk(Log("one\ntwo\nthree"), {.tail_lines = 1});
  ASSERT_TRUE(unfinished.ok());
  EXPECT_EQ(unfinished->text, "three");
  auto more_than_there_are = ReadLogChunk(Log("one\ntwo\n"), {.tail_lines = 10});
  ASSERT_TRUE(more_than_there_are.ok());
  EXPECT_EQ(more_than_there_are->text, "one\ntwo\n");
  EXPECT_FALSE(more_than_there_are->truncated);
}

TEST_F(ReadLogChunkTest, TailLooksBackAcrossBlocks) {
  std::string text;
  for (int line = 0; line < 20000; ++line) text += fmt::format("line {:05}\n", line);
  auto tail = ReadLogChunk(Log(text), {.tail_lines = 15000});
  ASSERT_TRUE(tail.ok());
  EXPECT_EQ(tail->text, text.substr(size_t{5000} * 11));
}

TEST_F(ReadLogChunkTest, TheLimitCutsOnWholeLinesForTailAndWholeCharactersOtherwise) {
  const std::string text = "첫째 줄\n둘째 줄\n셋째 줄\n";  // Hangul: three bytes a character
  const fs::path path = Log(text);
  auto head = ReadLogChunk(path, {}, 8);  // "첫째 " is 7 bytes; 8 would split "줄"
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->text, "첫째 ");
  EXPECT_EQ(head->next_offset, 7);
  EXPECT_TRUE(head->truncated);
  auto next = ReadLogChunk(path, {.offset = head->next_offset}, 8);
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->text, "줄\n둘");
  auto tail = ReadLogChunk(path, {.tail_lines = 3}, 14);
  ASSERT_TRUE(tail.ok());
  EXPECT_EQ(tail->text, "셋째 줄\n") << "the last 14 bytes start inside the second line";
  EXPECT_TRUE(tail->truncated);
}

TEST_F(ReadLogChunkTest, MissingFilesAndFoldersAreNotFound) {
  EXPECT_EQ(ReadLogChunk(folder_.path() / "none.log", {}).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(ReadLogChunk(folder_.path(), {}).status().code(), ErrorCode::kNotFound);
}

class TaskLogEndpointTest : public PipelinesApiTest {
 protected:
  // The stored log path of a try.
  fs::path LogPath(const std::string& run_id, const std::string& task, int try_number) {
    auto paths = SqlTexts(
        "SELECT log_path FROM _sw_task_tries WHERE run_id = ? AND task = ? AND try_number = ?",
        {Value(run_id), Value(task), Value(int64_t{try_number})});
    EXPECT_EQ(paths.size(), 1u);
    return paths.empty() ? fs::path() : fs::path(paths[0]);
  }
  httplib::Result GetLog(const std::string& path) { return client_->Get(path); }
};

TEST_F(TaskLogEndpointTest, ServesTheTrysLogAsText) {
  const std::string run = DailyRunEnding(20);
  const std::string file = ReadFile(LogPath(run, "collect", 2));
  ASSERT_NE(file.find("HTTP 503"), std::string::npos);
  auto whole = GetLog(fmt::format("/api/v1/runs/{}/tasks/collect/logs/2", run));
  ASSERT_TRUE(whole);
  EXPECT_EQ(whole->status, 200);
  EXPECT_EQ(whole->get_header_value("Content-Type"), "text/plain; charset=utf-8");
  EXPECT_EQ(whole->body, file);
  EXPECT_EQ(whole->get_header_value("X-Log-Size"), std::to_string(file.size()));
  EXPECT_EQ(whole->get_header_value("X-Log-Next-Offset"), std::to_string(file.size()));
  EXPECT_EQ(whole->get_header_value("X-Log-Truncated"), "false");
  EXPECT_EQ(whole->get_header_value("X-Try-State"), "failed");

  auto tail = GetLog(fmt::format("/api/v1/runs/{}/tasks/collect/logs/2?tail=2", run));
  ASSERT_TRUE(tail);
  const size_t second_last = file.rfind('\n', file.rfind('\n', file.size() - 2) - 1);
  EXPECT_EQ(tail->body, file.substr(second_last + 1));
  EXPECT_EQ(tail->get_header_value("X-Log-Offset"), std::to_string(second_last + 1));

  auto from = GetLog(fmt::format("/api/v1/runs/{}/tasks/collect/logs/2?offset=10", run));
  ASSERT_TRUE(from);
  EXPECT_EQ(from->body, file.substr(10));
}

TEST_F(TaskLogEndpointTest, ARunningTrysLogCanBeFollowedFromTheNextOffset) {
  const auto running =
      SqlRows("SELECT run_id, task, try_number FROM _sw_task_tries WHERE state = 'running'");
  ASSERT_EQ(running.size(), 1u);
  const std::string path =
      fmt::format("/api/v1/runs/{}/tasks/{}/logs/{}", running[0][0], running[0][1], running[0][2]);
  const fs::path file = LogPath(running[0][0], running[0][1], std::stoi(running[0][2]));
  const std::string before = ReadFile(file);
  auto first = GetLog(path + "?tail=3");
  ASSERT_TRUE(first);
  EXPECT_EQ(first->get_header_value("X-Try-State"), "running");
  const std::string next = first->get_header_value("X-Log-Next-Offset");
  EXPECT_EQ(next, std::to_string(before.size()));

  WriteFile(file, "2025-03-31T12:00:01.000Z details: 300 of 1,204\n", true);
  auto followed = GetLog(path + "?offset=" + next);
  ASSERT_TRUE(followed);
  EXPECT_EQ(followed->body, "2025-03-31T12:00:01.000Z details: 300 of 1,204\n");
  auto nothing_new = GetLog(path + "?offset=" + followed->get_header_value("X-Log-Next-Offset"));
  ASSERT_TRUE(nothing_new);
  EXPECT_EQ(nothing_new->status, 200);
  EXPECT_EQ(nothing_new->body, "");
  WriteFile(file, before);  // as the fixture left it, for other tests
}

TEST_F(TaskLogEndpointTest, BadTriesAndWindowsAre400AndUnknownOnes404) {
  const std::string run = DailyRunEnding(20);
  const std::string base = fmt::format("/api/v1/runs/{}/tasks/collect/logs/", run);
  struct Case {
    std::string path;
    int status;
    std::string parameter;
  };
  const Case cases[] = {
      {base + "0", 400, "try"},
      {base + "1?tail=0", 400, "tail"},
      {base + "1?tail=10001", 400, "tail"},
      {base + "1?tail=5&offset=0", 400, "tail"},
      {base + "1?offset=99999999", 400, "offset"},
      {base + "1?follow=1", 400, "follow"},
      {base + "5", 404, ""},
      {fmt::format("/api/v1/runs/{}/tasks/build/logs/1", run), 404, ""},
      {fmt::format("/api/v1/runs/{}/tasks/publish/logs/1", run), 404, ""},
      {"/api/v1/runs/20250101T000000.000Z-00000000/tasks/collect/logs/1", 404, ""},
  };
  for (const Case& bad : cases) {
    const json body = GetJson(bad.path, bad.status);
    if (!bad.parameter.empty()) {
      EXPECT_EQ(body["error"]["parameter"], bad.parameter) << bad.path;
    }
    EXPECT_FALSE(body["error"]["message"].get<std::string>().empty()) << bad.path;
  }
}

}  // namespace
}  // namespace silverwork::serve::testing
