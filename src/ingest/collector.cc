#include "ingest/collector.h"

namespace silverwork {
namespace {
std::string BudgetKey(RateBudget& budget, std::string_view operation) {
  return "budget." + std::string(operation) + "." + budget.Today().Iso();
}
}  // namespace

Status SaveBudgetUsage(Warehouse& warehouse, RateBudget& budget,
                       std::initializer_list<std::string_view> operations) {
  for (auto operation : operations) {
    std::string name(operation);
    SW_RETURN_IF_ERROR(
        warehouse.PutState(BudgetKey(budget, name), std::to_string(budget.UsedToday(name))));
  }
  return Status::Ok();
}

Status LoadBudgetUsage(Warehouse& warehouse, RateBudget& budget,
                       std::initializer_list<std::string_view> operations) {
  for (auto operation : operations) {
    std::string name(operation);
    SW_ASSIGN_OR_RETURN(auto used, warehouse.GetState(BudgetKey(budget, name)));
    if (used) budget.SetUsedToday(name, std::stoll(*used));
  }
  return Status::Ok();
}

}  // namespace silverwork
