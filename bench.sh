#!/usr/bin/env bash
# The benchmark report (docs/benchmarks.md): builds everything, then measures side by side in one run.
# Optional arguments: ROUNDS (default 3) SECONDS_PER_LOAD_RUN (default 10) VIRTUAL_USERS (default 50) SECTIONS,
# or only SECTIONS with the defaults for the rest: ./bench.sh startup
set -euo pipefail
cd "$(dirname "$0")"
if [[ $# -ge 1 && ! $1 =~ ^[0-9]+$ ]]; then
  set -- 3 10 50 "$1"
fi
./mvnw -B -q -DskipTests verify
exec java -cp "it/target/test-classes:$(cat it/target/test-classpath.txt)" \
  -Dpool.agent.jar=agent/target/pool-agent.jar -Dsample.app.jar=sample-app/target/sample-app.jar \
  io.poolagent.it.bench.Benchmarks "$@"
