#!/usr/bin/env bash
# The test command: builds everything and runs every test, unit and integration, against throwaway PostgreSQL
# servers the tests start themselves. First it makes sure the tools some tests drive are there: as root on
# Debian or Ubuntu it installs what is missing; elsewhere it names each missing tool and how to get it, and stops
# before running anything. Needs only a JDK: ./mvnw fetches Maven. Arguments go to Maven (e.g. -Dtest=...).
# ./test.sh --fast runs only the agent module's unit tests: in-process, no PostgreSQL, no tools.
set -euo pipefail
cd "$(dirname "$0")"

if [ "${1-}" = "--fast" ]; then
  shift
  exec ./mvnw -B test -pl agent "$@"
fi

# tool (what the tests look for) | Debian package | which tests need it
tools=(
  "/usr/bin/promtool|prometheus|metrics lint, alert rules"
  "/usr/bin/prometheus|prometheus|the Grafana dashboard against a real Prometheus"
  "/usr/sbin/pgbouncer|pgbouncer|pooling through PgBouncer"
  "openssl|openssl|TLS to PostgreSQL"
  "unshare|util-linux|the embedded PostgreSQL as root"
)

have() { case "$1" in /*) [ -x "$1" ] ;; *) command -v "$1" >/dev/null ;; esac; }

missing=()
packages=()
for entry in "${tools[@]}"; do
  IFS='|' read -r tool package why <<<"$entry"
  if ! have "$tool"; then
    missing+=("$entry")
    [[ " ${packages[*]-} " == *" $package "* ]] || packages+=("$package")
  fi
done

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "test.sh: installing ${packages[*]} ..."
    # apt's own helpers (gpgv, run as the _apt user) are looked up on PATH: give it the system's.
    export PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:$PATH"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
  else
    for entry in "${missing[@]}"; do
      IFS='|' read -r tool package why <<<"$entry"
      echo "test.sh: missing $tool (for: $why): install the Debian/Ubuntu package \`$package\`" \
        "(as root: apt-get install $package), or your system's equivalent" >&2
    done
    exit 1
  fi
fi

exec ./mvnw -B verify "$@"
