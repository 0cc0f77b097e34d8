#!/usr/bin/env bash
# The main job: build the agent and the sample auth-service, start a throwaway PostgreSQL, and run the
# same load against the service without and then with the agent. Needs only a JDK: ./mvnw fetches Maven.
# Optional arguments: VIRTUAL_USERS (default 150) SECONDS_PER_RUN (default 20).
set -euo pipefail
cd "$(dirname "$0")"
echo "building the agent, the sample service and the load generator ..."
./mvnw -B -q -DskipTests verify
exec java -cp "it/target/test-classes:$(cat it/target/test-classpath.txt)" \
  -Dpool.agent.jar=agent/target/pool-agent.jar -Dsample.app.jar=sample-app/target/sample-app.jar \
  io.poolagent.it.demo.Demo "$@"
