#!/usr/bin/env bash
# Catalog history and retention benchmark (CatalogHistoryBench): applies a generated store through the real
# applier, times point-in-time views, the CSV export, purge and blob GC against same-run baselines, and prints
# the figures (also in catalog-service/target/catalog-bench.txt). Starts its own MariaDB, Kafka and S3 server.
#   catalog-service/bench.sh [-Dbench.items=20000] [-Dbench.objects=3000]
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -o -q verify -pl catalog-service -am -DskipUTs -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test=CatalogHistoryBench -Dfailsafe.failIfNoSpecifiedTests=false "$@" >/dev/null 2>&1 || {
  echo "benchmark failed; see catalog-service/target/failsafe-reports" >&2; exit 1; }
cat catalog-service/target/catalog-bench.txt
