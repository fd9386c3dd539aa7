#include "pipeline/task_outcome_json.h"

#include "common/log.h"

namespace silverwork {

void AddTaskOutcomeJson(const std::vector<FreshnessCheck>& checks, const Status& error,
                        nlohmann::ordered_json& json) {
  if (!checks.empty()) {
    json["freshness"] = nlohmann::ordered_json::array();
    for (const FreshnessCheck& check : checks) {
      json["freshness"].push_back({{"source", check.source},
                                   {"status", check.status},
                                   {"message", RedactSecrets(check.message)}});
    }
  }
  if (!error.ok()) {
    json["error"] = {{"code", ErrorCodeName(error.code())},
                     {"message", RedactSecrets(error.message())},
                     {"hint", RedactSecrets(error.hint())}};
  }
}

}  // namespace silverwork
