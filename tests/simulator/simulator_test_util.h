// Helpers shared by the simulator tests: start a small simulator on a free
// loopback port, over http or https, and fetch from it with the real client
// (which trusts the test CA).
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <pugixml.hpp>
#include <string>

#include "http/http_client.h"
#include "http/loopback.h"
#include "simulator/simulator.h"

namespace silverwork::testing {

// Generous: calls expected to succeed must, on however busy a machine.
inline constexpr std::chrono::milliseconds kTestTimeout{60'000};

// A small, fixed world: two years of postings, small project files.
inline SimulatorOptions SmallWorld() {
  SimulatorOptions options;
  options.worker_threads = 8;
  options.data.seed = 42;
  options.data.first_day = Date::FromYmd(2024, 1, 1);
  options.data.today = Date::FromYmd(2025, 6, 30);
  options.data.postings_per_day = 112;
  options.data.projects_per_year = 300;
  return options;
}

// SmallWorld served over `scheme`.
inline SimulatorOptions SmallWorld(Scheme scheme) {
  SimulatorOptions options = SmallWorld();
  if (scheme == Scheme::kHttps) {
    options.tls_certificate_file = SharedTestTls().server.certificate_file;
    options.tls_key_file = SharedTestTls().server.key_file;
  }
  return options;
}

inline std::unique_ptr<Simulator> StartOrDie(const SimulatorOptions& options) {
  auto started = Simulator::Start(options);
  if (!started.ok()) ADD_FAILURE() << started.status().ToString();
  return started.ok() ? std::move(started).value() : nullptr;
}

inline std::string EncodedDemoKey() { return PercentEncode(kSimulatorDemoKey); }

inline std::string ListUrl(const Simulator& simulator, int64_t page, int64_t rows,
                           const std::string& key = EncodedDemoKey()) {
  return simulator.base_url() + kSimulatorPostingsPath + "/getJobList?serviceKey=" + key +
         "&pageNo=" + std::to_string(page) + "&numOfRows=" + std::to_string(rows);
}

inline std::string DetailUrl(const Simulator& simulator, const std::string& id) {
  return simulator.base_url() + kSimulatorPostingsPath +
         "/getJobInfo?serviceKey=" + EncodedDemoKey() + "&id=" + PercentEncode(id);
}

inline std::string ProjectsUrl(const Simulator& simulator, const std::string& file_id, int64_t page,
                               int64_t per_page) {
  return simulator.base_url() + kSimulatorProjectsPath + "/uddi:" + file_id +
         "?page=" + std::to_string(page) + "&perPage=" + std::to_string(per_page) +
         "&serviceKey=" + EncodedDemoKey();
}

inline Result<HttpResponse> Fetch(const std::string& url,
                                  std::chrono::milliseconds timeout = kTestTimeout) {
  return LoopbackClient()->Get(url, "(test url)", timeout);
}

// Fetches and parses XML; fails the test on transport or parse errors.
inline pugi::xml_document FetchXml(const std::string& url) {
  pugi::xml_document document;
  auto response = Fetch(url);
  if (!response.ok()) {
    ADD_FAILURE() << response.status().ToString();
    return document;
  }
  pugi::xml_parse_result parsed = document.load_string(response->body.c_str());
  if (!parsed) ADD_FAILURE() << "XML does not parse: " << parsed.description();
  return document;
}

inline std::string ResultCodeOf(const pugi::xml_document& document) {
  if (auto code = document.select_node("/response/header/resultCode")) {
    return code.node().text().get();
  }
  return document.select_node("/OpenAPI_ServiceResponse/cmmMsgHeader/returnReasonCode")
      .node()
      .text()
      .get();
}

}  // namespace silverwork::testing
