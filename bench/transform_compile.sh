#!/usr/bin/env bash
# Benchmark of parsing and compiling a large dbt-style project (issue 17):
# a generated project of 2,000 models, 5,000 data tests and 200 macros
# (dbt-core needs minutes to parse a project this size, dbt-core issue
# #11421). Times `silverwork ls` (load, parse, configs, DAG, selection) and
# `silverwork compile` (that plus rendering every node to compiled/). Target:
# each under 2 s on 2 cores.
#
#   bench/transform_compile.sh [models=2000] [tests=5000] [macros=200]
#
# Environment:
#   SILVERWORK_BUILD  build folder with silverwork (default build/release;
#                     configured as RelWithDebInfo and built when missing)
#   BENCH_DIR         work files (default /tmp/silverwork-bench-compile)
#
# Exits 1 when a command fails or compiles fewer files than nodes.
set -euo pipefail
cd "$(dirname "$0")/.."
models=${1:-2000}
tests=${2:-5000}
macros=${3:-200}
build=${SILVERWORK_BUILD:-build/release}
dir=${BENCH_DIR:-/tmp/silverwork-bench-compile}
if [ ! -x "$build/silverwork" ]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build "$build" -j2 --target silverwork
fi
rm -rf "$dir" && mkdir -p "$dir/project/models" "$dir/project/macros"
project="$dir/project"

# The project: macros that loop and call each other, models that set lists,
# loop over them, call macros and ref the models before them, and for each
# model not_null and unique tests on its key (plus accepted_values on some,
# up to the number of tests asked for).
python3 - "$project" "$models" "$tests" "$macros" <<'PY'
import os, sys
root, models, tests, macros = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
open(f"{root}/dbt_project.yml", "w").write(
    "name: 'bench'\nversion: '1.0.0'\nconfig-version: 2\nprofile: 'bench'\n"
    "require-dbt-version: '>=1.5.0'\nmodels:\n  bench:\n    +materialized: view\n")
for m in range(macros):
    inner = f"{{{{ m{m - 1}(column, n - 1) }}}}" if m % 4 and m else "{{ column }}"
    open(f"{root}/macros/m{m}.sql", "w").write(
        f"{{% macro m{m}(column, n={m % 7}) -%}}\n"
        f"  {{%- set parts = [] -%}}\n"
        f"  {{%- for i in range(n) %}}{{% do parts.append(column ~ ' + ' ~ i) %}}{{% endfor -%}}\n"
        f"  ({inner}{{{{ ' + 0' if not parts else ' + ' ~ (parts | length) }}}})\n"
        f"{{%- endmacro %}}\n")
per_folder = 100
for i in range(models):
    folder = f"{root}/models/layer{i // per_folder}"
    os.makedirs(folder, exist_ok=True)
    parent = "{{ source('raw', 'events') }}" if i == 0 else f"{{{{ ref('model{max(0, i - 1 - i % 5)}') }}}}"
    open(f"{folder}/model{i}.sql", "w").write(
        f"{{% set columns = ['a', 'b', 'c'] %}}\n"
        f"-- model {i} for {{{{ target.name }}}}\n"
        f"select\n  id,\n"
        f"  {{% for column in columns %}}{{{{ m{i % macros}(column) }}}} as {{{{ column }}}}"
        f"{{{{ ',' if not loop.last }}}}\n  {{% endfor %}}\n"
        f"from {parent}\n")
written = 0
for folder_index in range((models + per_folder - 1) // per_folder):
    lines = ["version: 2", "models:"]
    if folder_index == 0:
        lines = ["version: 2", "sources:", "  - name: raw", "    tables:", "      - name: events",
                 "models:"]
    for i in range(folder_index * per_folder, min(models, (folder_index + 1) * per_folder)):
        column_tests = ["not_null", "unique"]
        extra = tests - 2 * models
        if extra > 0 and i < extra:
            column_tests.append("accepted_values:\n                values: [1, 2, 3]\n                quote: false")
        written += len(column_tests)
        lines += [f"  - name: model{i}", "    columns:", "      - name: id", "        tests:"]
        lines += [f"          - {test}" for test in column_tests]
    open(f"{root}/models/layer{folder_index}/schema.yml", "w").write("\n".join(lines) + "\n")
print(f"generated {models} models, {written} tests, {macros} macros in {root}")
PY

cat >"$dir/silverwork.toml" <<TOML
project_dir = "$project"
artifacts_dir = "$dir/artifacts"
[warehouse]
path = "$dir/warehouse.db"
TOML
load() { echo "load average $(cut -d' ' -f1-3 /proc/loadavg)"; }
run() {
  SILVERWORK_CONFIG="$dir/silverwork.toml" CI=true \
    /usr/bin/time -f "  $1: %e s elapsed, %U s user + %S s system CPU, %M KB max RSS" \
    "$build/silverwork" --log-level warn "$@"
}
verdict=0
echo "before: $(load)"
nodes=$(run ls | tee "$dir/ls.txt" | wc -l) || verdict=1
echo "  ls listed $nodes nodes"
run compile >/dev/null || verdict=1
compiled=$(find "$dir/artifacts/compiled" -name '*.sql' | wc -l)
echo "  compile wrote $compiled files"
expected=$((nodes - 1))  # every node but the source
if [ "$compiled" -ne "$expected" ]; then
  echo "  NOT OK: expected $expected compiled files"
  verdict=1
fi
echo "after: $(load)"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
exit "$verdict"
