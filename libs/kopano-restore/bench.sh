#!/usr/bin/env bash
# Restore benchmark (docs/benchmarks.md, "Restore writer"): bulk restore throughput and single-item latency of
# KopanoRestorer against a real MariaDB, with KopanoWriter writing the same items as the same-run baseline.
# Usage, from anywhere:  libs/kopano-restore/bench.sh [items (10000)] [database|files|files_v2] [latency samples (500)] [connections (4)]
# Extra Maven flags (e.g. -o) go in MVN_FLAGS; JVM options in BENCH_JAVA_OPTS.
set -euo pipefail
cd "$(dirname "$0")/../.."
M=libs/kopano-restore
./mvnw -q -B ${MVN_FLAGS:-} test-compile dependency:build-classpath -pl "$M" -am \
  -Dmdep.includeScope=test -Dmdep.outputFile=target/test-classpath.txt
exec java ${BENCH_JAVA_OPTS:-} -cp "$M/target/test-classes:$M/target/classes:$(cat "$M/target/test-classpath.txt")" \
  io.kbr.restore.kopano.RestoreBench "$@"
