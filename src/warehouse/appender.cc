// Warehouse::OpenAppender's default (rows buffered and written through
// Append in batches) and what every engine's appender shares: the atomic
// scope, the open-appender registration, and how failures are worded.
#include <fmt/format.h>

#include <optional>

#include "warehouse/engine_contract.h"
#include "warehouse/warehouse.h"

namespace silverwork {
namespace {

// Rows the default appender buffers before one Append.
constexpr size_t kBufferedAppendRows = 1000;

// The default: Append per batch of buffered rows, inside one AppenderScope.
class BufferedAppender final : public StreamAppender {
 public:
  BufferedAppender(Warehouse& warehouse, std::string_view table,
                   std::span<const std::string> columns)
      : StreamAppender(warehouse, table, columns.size()),
        warehouse_(warehouse),
        columns_(columns.begin(), columns.end()) {}

  using StreamAppender::Open;

 private:
  Status AddRow(std::span<const Value> row) override {
    buffered_.emplace_back(row.begin(), row.end());
    return buffered_.size() >= kBufferedAppendRows ? WriteBuffered() : Status::Ok();
  }

  Status FinishRows() override { return WriteBuffered(); }

  void DiscardRows(const char* /*why*/) override { buffered_.clear(); }

  Status WriteBuffered() {
    if (buffered_.empty()) return Status::Ok();
    Unregister();  // Append is the appender's own statement
    Status written = warehouse_.Append(table(), columns_, buffered_);
    if (!written.ok()) {
      const int64_t first = rows() - static_cast<int64_t>(buffered_.size());
      return StreamFailure(written, table(), first, rows());
    }
    Register();
    buffered_.clear();
    return Status::Ok();
  }

  Warehouse& warehouse_;
  const std::vector<std::string> columns_;
  std::vector<Row> buffered_;
};

}  // namespace

Result<std::unique_ptr<Appender>> Warehouse::OpenAppender(std::string_view table,
                                                          std::span<const std::string> columns) {
  SW_RETURN_IF_ERROR(CheckUpsertArguments(table, columns, {}, {}));
  SW_RETURN_IF_ERROR(RefuseWhileAppending());
  auto appender = std::make_unique<BufferedAppender>(*this, table, columns);
  SW_RETURN_IF_ERROR(appender->Open());
  return std::unique_ptr<Appender>(std::move(appender));
}

Status Warehouse::RefuseWhileAppending() const {
  if (open_appender_ == nullptr) return Status::Ok();
  return Status(
      ErrorCode::kInternal,
      fmt::format("a stream of rows into \"{}\" is open on this connection", open_appender_table_),
      "finish the appender (Appender::Finish) before running other statements");
}

void Warehouse::AbandonAppender() {
  if (open_appender_ != nullptr) open_appender_->Abandon();
  open_appender_ = nullptr;
}

AppenderRegistration::AppenderRegistration(Warehouse& warehouse, Appender& appender,
                                           std::string_view table)
    : warehouse_(&warehouse) {
  warehouse.open_appender_ = &appender;
  warehouse.open_appender_table_ = table;
}

void AppenderRegistration::Release() {
  if (warehouse_ != nullptr) warehouse_->open_appender_ = nullptr;
  warehouse_ = nullptr;
}

Status AppenderScope::Begin() {
  own_transaction_ = !warehouse_.InTransaction();
  SW_RETURN_IF_ERROR(own_transaction_ ? warehouse_.Begin()
                                      : warehouse_.Execute("SAVEPOINT sw_append"));
  open_ = true;
  return Status::Ok();
}

Status AppenderScope::End(bool keep) {
  if (!open_) return Status::Ok();
  open_ = false;
  if (own_transaction_) return keep ? warehouse_.Commit() : warehouse_.Rollback();
  if (keep) return warehouse_.Execute("RELEASE sw_append");
  // Best effort: the engine may already have rolled the transaction back.
  (void)warehouse_.Execute("ROLLBACK TO sw_append; RELEASE sw_append");
  return Status::Ok();
}

Status StreamAppender::Open() {
  SW_RETURN_IF_ERROR(scope_.Begin());
  SW_RETURN_IF_ERROR(OpenStream());
  Register();
  return Status::Ok();
}

Status StreamAppender::Add(std::span<const Value> row) {
  SW_RETURN_IF_ERROR(failure_);
  if (row.size() != width_) {
    return Fail(
        Status(ErrorCode::kInvalidInput,
               fmt::format("row {} of the stream into \"{}\" has {} value(s) for {} column(s)",
                           rows_, table_, row.size(), width_)));
  }
  ++rows_;
  Status added = AddRow(row);
  return added.ok() ? added : Fail(added);
}

Status StreamAppender::Finish() {
  SW_RETURN_IF_ERROR(failure_);
  Status finished = FinishRows();
  if (!finished.ok()) return Fail(finished);
  registration_.reset();
  Status kept = scope_.End(true);
  failure_ = kept.ok() ? Status(ErrorCode::kInternal, "Finish() was called twice") : kept;
  return kept;
}

void StreamAppender::Abandon() {
  DiscardRows("the transaction was rolled back");
  registration_.reset();
  scope_.Forget();
  failure_ = Status(
      ErrorCode::kCancelled,
      fmt::format("the appender into \"{}\" ended: its transaction was rolled back", table_));
}

Status StreamAppender::Fail(Status status) {
  DiscardRows("the appender failed");
  registration_.reset();
  (void)scope_.End(false);
  failure_ = status;
  return status;
}

Status StreamFailure(const Status& status, std::string_view table, int64_t first, int64_t end) {
  const std::string rows = end - first == 1 ? fmt::format("at row {}", first)
                                            : fmt::format("in rows {}..{}", first, end - 1);
  return status.WithContext(fmt::format("Append into \"{}\" failed {}", table, rows));
}

}  // namespace silverwork
