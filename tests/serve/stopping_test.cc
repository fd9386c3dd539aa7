// Stopping the server (what `silverwork serve` does on SIGINT or SIGTERM):
// a request in flight is finished intact before Stop returns, while a new
// request arriving meanwhile is answered 503 and told to close. The
// request is held in flight by the test, not by timing: the CSV export's
// read of the postings' text blocks on a gate until the test opens it.
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "serve/serve_harness.h"
#include "transform/spy_warehouse.h"

namespace silverwork::serve::testing {
namespace {

// The server's warehouse connections, each wrapped so that the first
// statement over fct_job_postings after Arm() waits until Open().
class GatedWarehouses {
 public:
  WarehouseFactory Opener() {
    return [this](const WarehouseOptions& options) -> Result<std::unique_ptr<Warehouse>> {
      SW_ASSIGN_OR_RETURN(auto inner, OpenWarehouse(options));
      auto spy = std::make_unique<transform::testing::SpyWarehouse>(*inner);
      spy->before_statement = [this](std::string_view sql) {
        if (sql.find("fct_job_postings") != std::string_view::npos) WaitIfArmed();
      };
      std::lock_guard lock(mutex_);
      inners_.push_back(std::move(inner));
      return std::unique_ptr<Warehouse>(std::move(spy));
    };
  }
  void Arm() {
    std::lock_guard lock(mutex_);
    armed_ = true;
  }
  // Blocks until a statement waits at the gate.
  void WaitUntilHeld() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return held_; });
  }
  void Open() {
    {
      std::lock_guard lock(mutex_);
      open_ = true;
    }
    changed_.notify_all();
  }

 private:
  void WaitIfArmed() {
    std::unique_lock lock(mutex_);
    if (!armed_ || held_) return;
    held_ = true;
    changed_.notify_all();
    changed_.wait(lock, [&] { return open_; });
  }

  std::mutex mutex_;
  std::condition_variable changed_;
  bool armed_ = false, held_ = false, open_ = false;
  std::vector<std::unique_ptr<Warehouse>> inners_;  // the spies' real connections
};

// GET /healthz on a new connection: what the server answers a request that
// arrives now (null when it answers none).
std::unique_ptr<httplib::Response> NewRequest(int port) {
  httplib::Client probe("127.0.0.1", port);
  probe.set_read_timeout(60, 0);  // only to end a hang, as the harness's client
  auto health = probe.Get("/healthz");
  return health ? std::make_unique<httplib::Response>(health.value()) : nullptr;
}

class Stopping : public ServerTest {
 protected:
  void TearDown() override {
    ServerTest::TearDown();
    server_.reset();  // before gates_, whose connections it still holds
  }
  GatedWarehouses gates_;
};

TEST_F(Stopping, FinishesTheRequestInFlightWhileRefusingNewOnes) {
  ServeOptions options = TestOptions(fixture_options());
  options.open_warehouse = gates_.Opener();
  StartServer(std::move(options));
  const std::vector<std::string> expected =
      SqlColumn("SELECT job_id FROM fct_job_postings ORDER BY start_date DESC, job_id");
  ASSERT_EQ(expected.size(), 3000u);

  gates_.Arm();
  std::optional<httplib::Result> csv;
  std::thread download([&] { csv.emplace(client_->Get("/api/v1/postings.csv")); });
  gates_.WaitUntilHeld();  // the export is reading its rows: in flight

  const int port = server_->port();
  std::thread stop([&] { server_->Stop(); });
  std::unique_ptr<httplib::Response> refused;
  while ((refused = NewRequest(port)) && refused->status == 200) std::this_thread::yield();
  gates_.Open();
  download.join();
  stop.join();

  ASSERT_TRUE(*csv) << "the export was cut: " << httplib::to_string(csv->error());
  const httplib::Response& answer = csv->value();
  EXPECT_EQ(answer.status, 200);
  EXPECT_EQ(answer.get_header_value("X-Silverwork-Rows"), "3000");
  EXPECT_EQ(CsvJobIds(answer.body), expected);

  // The request that arrived while it stopped was told so, and to close.
  ASSERT_NE(refused, nullptr) << "a request arriving while the server stops gets an answer";
  EXPECT_EQ(refused->status, 503);
  EXPECT_NE(refused->body.find("the server is stopping"), std::string::npos) << refused->body;
  EXPECT_EQ(refused->get_header_value("Connection"), "close");
}

}  // namespace
}  // namespace silverwork::serve::testing
