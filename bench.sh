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

# The start-up section sets this build's agent beside the one that wove with a hand-written ASM visitor, the
# last commit before the agent wove with Byte Buddy's API (issue 25): built once from git into target/baseline.
BASELINE=fe7a468
baseline=()
if [[ $# -lt 4 || ,$4, == *,startup,* ]]; then
  jar=target/baseline/pool-agent-$BASELINE.jar
  if [[ ! -f $jar ]]; then
    rm -rf target/baseline/src && mkdir -p target/baseline/src
    git archive "$BASELINE" | tar -x -C target/baseline/src
    (cd target/baseline/src && ./mvnw -B -q -DskipTests -pl agent -am package)
    cp target/baseline/src/agent/target/pool-agent.jar "$jar"
  fi
  baseline=(-Dbench.baseline.jar="$PWD/$jar" -Dbench.baseline.name="visitor ($BASELINE)")
fi
exec java -cp "it/target/test-classes:$(cat it/target/test-classpath.txt)" \
  -Dpool.agent.jar=agent/target/pool-agent.jar -Dsample.app.jar=sample-app/target/sample-app.jar "${baseline[@]}" \
  io.poolagent.it.bench.Benchmarks "$@"
