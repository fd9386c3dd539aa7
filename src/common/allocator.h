// The process's memory allocator, seen from inside: which one serves malloc
// (glibc's, or jemalloc when the silverwork executable is built with
// SILVERWORK_JEMALLOC or jemalloc is preloaded), and a way to hand the pages
// it keeps free back to the operating system. Decided once, at run time, so
// the libraries and their tests need not be linked with jemalloc.
// Thread-safe.
#pragma once

#include <string_view>

namespace silverwork {

// kGlibc: glibc's malloc, or an allocator standing in for it without jemalloc's
// interface (a sanitizer's, in the asan build).
enum class Allocator { kGlibc, kJemalloc };

// jemalloc when the process can see its mallctl() (linked into the executable
// or preloaded, so ahead of glibc's malloc), kGlibc otherwise.
Allocator ProcessAllocator();

// "glibc" or "jemalloc".
std::string_view AllocatorName(Allocator allocator);

// Gives the pages the allocator holds free back to the operating system, as
// glibc's malloc_trim(0) does for glibc's heap: under jemalloc, the calling
// thread's cache is flushed and every arena purged. Costs a pass over the
// heap: call it after a burst of temporaries (a snapshot load), not per
// request. Returns the allocator it worked on.
Allocator ReleaseFreeMemory();

}  // namespace silverwork
