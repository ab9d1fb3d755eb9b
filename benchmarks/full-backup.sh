#!/usr/bin/env bash
# Builds the benchmark module (and what it depends on) and runs the full-backup benchmark.
# Usage, from anywhere:  benchmarks/full-backup.sh [--items N] [--backend files_v2|files|database] [--workers N] [--keep] ...
# Extra Maven flags (e.g. -o for offline) go in MVN_FLAGS; JVM options for the benchmark in BENCH_JAVA_OPTS.
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -B ${MVN_FLAGS:-} install -DskipTests -pl benchmarks -am
# JBoss LogManager behind SLF4J as in the services: without it, client libraries see TRACE enabled and format every record.
exec java -Djava.util.logging.manager=org.jboss.logmanager.LogManager ${BENCH_JAVA_OPTS:-} -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)" io.kbr.bench.FullBackupBench "$@"
