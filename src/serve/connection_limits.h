// ApplyConnectionLimits: puts ServeOptions' bounds on every connection of a
// cpp-httplib server — worker threads, timeouts, requests per kept-alive
// connection, body size. Kept apart from the server so that a test can read
// back what was applied.
//
// Call before the server listens; not thread-safe with serving.
#pragma once

#include <httplib.h>

#include "serve/server.h"

namespace silverwork::serve {

void ApplyConnectionLimits(const ServeOptions& options, httplib::Server& http);

}  // namespace silverwork::serve
