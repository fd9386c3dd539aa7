#include "serve/connection_limits.h"

#include <algorithm>

namespace silverwork::serve {

void ApplyConnectionLimits(const ServeOptions& options, httplib::Server& http) {
  const int threads = std::max(2, options.threads);
  http.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  http.set_keep_alive_max_count(options.keep_alive_max_requests);
  http.set_keep_alive_timeout(options.keep_alive_timeout.count());
  http.set_read_timeout(options.read_timeout);
  http.set_write_timeout(options.write_timeout);
  http.set_payload_max_length(options.max_body_bytes);
  http.set_tcp_nodelay(true);
}

}  // namespace silverwork::serve
