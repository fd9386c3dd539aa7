#!/usr/bin/env bash
# clang-tidy (the checks in .clang-tidy, findings are errors) over the C++
# files this branch changed, or over the whole tree with --all.
#
#   scripts/clang-tidy.sh [--all] [BUILD_DIR]    (BUILD_DIR default build/asan)
#
# BUILD_DIR must be configured (its compile_commands.json says how each file
# is compiled). The whole tree takes over an hour of CPU (every file parses
# httplib, nlohmann/json and spdlog again), so the test command checks only
# the files changed since the merge base with origin/main: a clone has
# origin/main, and on main itself (merge base = HEAD) the files the last
# commit changed, a merge's whole branch included. A changed header is
# checked through its own .cc, or the files that include it when it has none.
# SILVERWORK_TIDY_BASE names another base (a commit or a branch).
set -euo pipefail
cd "$(dirname "$0")/.."

all=0
if [ "${1:-}" = "--all" ]; then all=1; shift; fi
build_dir=${1:-build/asan}
database="$build_dir/compile_commands.json"
[ -f "$database" ] || { echo "error: $database is missing: configure $build_dir first (cmake --preset asan)" >&2; exit 1; }

compiled_files() {  # every file the compile database names, relative to the tree
  sed -n 's/^ *"file": "\(.*\)",\{0,1\}$/\1/p' "$database" | sed "s|^$(pwd)/||" | sort -u
}

changed_files() {
  local base_ref=${SILVERWORK_TIDY_BASE:-origin/main} base
  if ! git rev-parse -q --verify "$base_ref^{commit}" >/dev/null; then
    base_ref=main
  fi
  base=$(git merge-base HEAD "$base_ref" 2>/dev/null || true)
  if [ -z "$base" ] || [ "$base" = "$(git rev-parse HEAD)" ]; then
    base=$(git rev-parse -q --verify 'HEAD^1' || true)
  fi
  if [ -z "$base" ]; then
    echo "clang-tidy: no merge base and no parent commit: checking the whole tree" >&2
    compiled_files
    return
  fi
  echo "clang-tidy: files changed since $(git rev-parse --short "$base")" >&2
  local file stem
  git diff --name-only --diff-filter=d "$base" -- 'src/*.cc' 'src/*.h' 'tests/*.cc' 'tests/*.h' \
    'bench/*.cc' 'fuzz/*.cc' |
  while read -r file; do
    case "$file" in
      *.cc) echo "$file" ;;
      *.h)
        stem=${file%.h}
        if [ -f "$stem.cc" ]; then echo "$stem.cc"
        else grep -rlF --include='*.cc' "#include \"${file#*/}\"" src tests bench fuzz || true
        fi ;;
    esac
  done | sort -u | comm -12 - <(compiled_files)
}

if [ "$all" = 1 ]; then files=$(compiled_files); else files=$(changed_files); fi
if [ -z "$files" ]; then
  echo "clang-tidy: no changed C++ file to check"
  exit 0
fi
count=$(wc -l <<<"$files")
echo "clang-tidy: checking $count files"
# run-clang-tidy takes regular expressions: match each file's full path exactly.
patterns=()
while read -r file; do
  patterns+=("^$(pwd | sed 's/[.[\*^$+?(){}|]/\\&/g')/$(sed 's/[.[\*^$+?(){}|]/\\&/g' <<<"$file")\$")
done <<<"$files"
# clang takes a `-include X` for the precompiled X.gch when there is one,
# and cannot read GCC's (SILVERWORK_TEST_PCH, on in the asan preset):
# clang-tidy reads a copy of the database without the precompiled header, so
# it sees each file as written, with the includes it has.
tidy_dir="$build_dir/clang-tidy"
mkdir -p "$tidy_dir"
sed -E 's# -Winvalid-pch##; s# -include [^ ]*/cmake_pch\.hxx##' "$database" \
  >"$tidy_dir/compile_commands.json"
# The database's flags are GCC's: clang does not know some (-Wno-restrict).
run-clang-tidy -p "$tidy_dir" -j "${TIDY_JOBS:-$(nproc)}" -quiet \
  -extra-arg=-Wno-unknown-warning-option "${patterns[@]}" >"$build_dir/clang-tidy.log" 2>&1 ||
  status=$?
# Keep the findings, not clang-tidy's per-file "N warnings generated" counts
# (those are system headers' warnings, which it does not show) or colours.
sed 's/\x1b\[[0-9;]*m//g' "$build_dir/clang-tidy.log" |
  grep -v -e '^[0-9]* warnings\{0,1\} generated\.$' -e '^Suppressed [0-9]* warnings' \
  -e '^Use -header-filter=' | grep -v '^clang-tidy-[0-9]* ' || true
if [ "${status:-0}" -ne 0 ]; then
  echo "clang-tidy: findings above (checks and their reasons: .clang-tidy)" >&2
  exit 1
fi
echo "clang-tidy: $count files clean"
