#!/usr/bin/env bash
# Change -> searchable latency benchmark (issue 4): the packaged agent and catalog, a writer at a fixed rate.
# Usage, from anywhere:  benchmarks/change-latency.sh [--rate 200] [--seconds 60]
# Extra Maven flags (e.g. -o for offline) go in MVN_FLAGS; JVM options for the benchmark in BENCH_JAVA_OPTS.
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -B ${MVN_FLAGS:-} install -DskipTests -pl benchmarks -am
exec java -Djava.util.logging.manager=org.jboss.logmanager.LogManager ${BENCH_JAVA_OPTS:-} -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)" io.kbr.bench.ChangeLatencyBench "$@"
