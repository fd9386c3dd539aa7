// PostgresWarehouse::OpenAppender: one COPY ... FROM STDIN straight into the
// table, kept open across Add calls inside an AppenderScope (a savepoint of
// the caller's transaction, or a transaction of its own).
//
// Add encodes the row into a buffer; a full buffer goes to libpq, whose
// connection is non-blocking while the COPY is open, and libpq sends what
// the socket takes. Only when more than kMaxUnsentBytes have been queued
// since libpq last had everything sent does Add wait for the socket: the
// server inserts from what it has while the caller makes the next rows.
// The server reports a rejected row (a duplicate key) when the COPY ends,
// so Finish names it; a lost connection fails the call that notices it.
#include <fmt/format.h>
#include <poll.h>

#include <optional>

#include "warehouse/engine_contract.h"
#include "warehouse/postgres/postgres_errors.h"
#include "warehouse/postgres/postgres_values.h"
#include "warehouse/postgres/postgres_warehouse.h"

namespace silverwork {
namespace {

// Encoded rows go to libpq in pieces of about this size.
constexpr size_t kCopyPieceBytes = 256 * 1024;
// Add waits for the socket once this much is queued and not yet sent.
constexpr size_t kMaxUnsentBytes = size_t{4} << 20;

}  // namespace

class PostgresWarehouse::CopyAppender final : public StreamAppender {
 public:
  CopyAppender(PostgresWarehouse& warehouse, std::string_view table,
               std::span<const std::string> columns)
      : StreamAppender(warehouse, table, columns.size()),
        warehouse_(warehouse),
        sql_(fmt::format("COPY {} ({}) FROM STDIN", warehouse.dialect().QuoteIdentifier(table),
                         QuotedNames(columns, warehouse.dialect()))) {}

  ~CopyAppender() override {
    if (copying_) (void)EndCopy("the appender was destroyed before Finish()");
  }

  using StreamAppender::Open;

 private:
  Status OpenStream() override {
    SW_RETURN_IF_ERROR(warehouse_.PrepareToSend());
    PGconn* connection = warehouse_.connection_.get();
    warehouse_.settled_status_ = PQtransactionStatus(connection);
    postgres::PgResult started(PQexec(connection, sql_.c_str()));
    if (PQresultStatus(started.get()) != PGRES_COPY_IN)
      return warehouse_.Failure(started.get(), sql_);
    copying_ = true;
    if (PQsetnonblocking(connection, 1) != 0) {
      Status failed = warehouse_.Failure(nullptr, sql_);
      (void)EndCopy("the connection could not be made non-blocking");
      return failed;
    }
    buffer_.reserve(kCopyPieceBytes + 64 * 1024);
    return Status::Ok();
  }

  Status AddRow(std::span<const Value> row) override {
    postgres::AppendCopyFields(row, buffer_);
    buffer_ += '\n';
    return buffer_.size() < kCopyPieceBytes ? Status::Ok() : SendBuffer();
  }

  Status FinishRows() override {
    Status status = SendBuffer();
    Status ended = EndCopy(nullptr);
    return status.ok() ? ended : status;
  }

  void DiscardRows(const char* why) override {
    if (copying_) (void)EndCopy(why);
    buffer_.clear();
  }

  PGconn* connection() const { return warehouse_.connection_.get(); }

  // The buffer to libpq; waits for the socket while too much is unsent.
  Status SendBuffer() {
    if (buffer_.empty()) return Status::Ok();
    const int queued =
        PQputCopyData(connection(), buffer_.data(), static_cast<int>(buffer_.size()));
    if (queued == 0) {  // libpq's buffer is full: send some, then queue
      SW_RETURN_IF_ERROR(SendQueued());
      return SendBuffer();
    }
    if (queued < 0) return warehouse_.Failure(nullptr, sql_);
    unsent_bytes_ += buffer_.size();
    buffer_.clear();
    const int flushed = PQflush(connection());
    if (flushed < 0) return warehouse_.Failure(nullptr, sql_);
    if (flushed == 0) unsent_bytes_ = 0;
    return unsent_bytes_ > kMaxUnsentBytes ? SendQueued() : Status::Ok();
  }

  // Waits until libpq has sent everything queued. While the socket is full
  // it reads what the server sends, so neither side waits for the other.
  Status SendQueued() {
    PGconn* pg = connection();
    while (true) {
      const int flushed = PQflush(pg);
      if (flushed < 0) return warehouse_.Failure(nullptr, sql_);
      if (flushed == 0) break;
      pollfd socket = {.fd = PQsocket(pg), .events = POLLOUT | POLLIN, .revents = 0};
      if (poll(&socket, 1, /*timeout=*/-1) < 0 && errno != EINTR)
        return warehouse_.Failure(nullptr, sql_);
      if ((socket.revents & POLLIN) != 0 && PQconsumeInput(pg) == 0)
        return warehouse_.Failure(nullptr, sql_);
    }
    unsent_bytes_ = 0;
    return Status::Ok();
  }

  // Ends the COPY (with `error`: refused, so the server keeps nothing of
  // it), the connection blocking again, and reads the server's answer.
  Status EndCopy(const char* error) {
    copying_ = false;
    PGconn* pg = connection();
    Status status;
    if (PQputCopyEnd(pg, error) != 1) status = warehouse_.Failure(nullptr, sql_);
    if (status.ok()) status = SendQueued();
    PQsetnonblocking(pg, 0);
    while (postgres::PgResult result{PQgetResult(pg)}) {
      if (PQresultStatus(result.get()) == PGRES_COMMAND_OK || !status.ok() || error) continue;
      status = warehouse_.Failure(result.get(), sql_);
      if (const int64_t row = postgres::RejectedCopyRow(result.get()); row >= 0)
        status = StreamFailure(status, table(), row, row + 1);
    }
    return status;
  }

  PostgresWarehouse& warehouse_;
  const std::string sql_;
  bool copying_ = false;
  std::string buffer_;
  size_t unsent_bytes_ = 0;  // queued in libpq since it last had everything sent
};

Result<std::unique_ptr<Appender>> PostgresWarehouse::OpenAppender(
    std::string_view table, std::span<const std::string> columns) {
  SW_RETURN_IF_ERROR(CheckUpsertArguments(table, columns, {}, {}));
  SW_RETURN_IF_ERROR(RefuseWhileAppending());
  auto appender = std::make_unique<CopyAppender>(*this, table, columns);
  SW_RETURN_IF_ERROR(appender->Open());
  return std::unique_ptr<Appender>(std::move(appender));
}

}  // namespace silverwork
