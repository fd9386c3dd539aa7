#include "common/allocator.h"

#include <dlfcn.h>
#include <malloc.h>

#include <cstddef>

namespace silverwork {
namespace {

// jemalloc's control interface: int mallctl(name, oldp, oldlenp, newp, newlen).
using Mallctl = int (*)(const char*, void*, std::size_t*, void*, std::size_t);

// Looked up by name rather than declared, so that nothing here needs the
// library at link time. Found only when jemalloc is in the process's global
// scope (a dependency of the executable or LD_PRELOAD), where its malloc
// comes before glibc's.
Mallctl FindMallctl() {
  static const Mallctl mallctl = reinterpret_cast<Mallctl>(dlsym(RTLD_DEFAULT, "mallctl"));
  return mallctl;
}

// "arena.<MALLCTL_ARENAS_ALL>.purge": <jemalloc/jemalloc.h> defines
// MALLCTL_ARENAS_ALL as 4096 (since jemalloc 5.0), meaning every arena.
constexpr const char* kPurgeEveryArena = "arena.4096.purge";

}  // namespace

Allocator ProcessAllocator() {
  return FindMallctl() != nullptr ? Allocator::kJemalloc : Allocator::kGlibc;
}

std::string_view AllocatorName(Allocator allocator) {
  return allocator == Allocator::kJemalloc ? "jemalloc" : "glibc";
}

Allocator ReleaseFreeMemory() {
  Mallctl mallctl = FindMallctl();
  if (mallctl == nullptr) {
    malloc_trim(0);
    return Allocator::kGlibc;
  }
  // The thread's cache first, so that its blocks are in the arenas the purge
  // empties. Both fail only on a jemalloc built without them; nothing to do then.
  mallctl("thread.tcache.flush", nullptr, nullptr, nullptr, 0);
  mallctl(kPurgeEveryArena, nullptr, nullptr, nullptr, 0);
  return Allocator::kJemalloc;
}

}  // namespace silverwork
