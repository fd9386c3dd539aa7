// ScopedEnv: sets an environment variable for as long as it lives (a test),
// then removes it. Tests that use it must not run in parallel threads.
#pragma once

#include <cstdlib>
#include <string>

namespace silverwork {

class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    ::setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() { ::unsetenv(name_); }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
};

}  // namespace silverwork
