#!/usr/bin/env bash
# Builds the benchmark module (and what it depends on) and runs the full-backup benchmark.
# Usage, from anywhere:  benchmarks/full-backup.sh [--items N] [--backend files_v2|files|database] [--workers N] [--keep] ...
# Extra Maven flags (e.g. -o for offline) go in MVN_FLAGS; JVM options for the benchmark in BENCH_JAVA_OPTS.
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -B ${MVN_FLAGS:-} install -DskipTests -pl benchmarks -am
# The backups run with the agent's own JVM flags: the -XX options of JAVA_OPTS_APPEND in the agent's image
# (backup-agent/src/main/docker/Dockerfile.jvm); the floor runs in a separate JVM with default flags (FullBackupBench).
AGENT_JVM_FLAGS=$(sed -n 's/^ENV JAVA_OPTS_APPEND="\(.*\)"/\1/p' backup-agent/src/main/docker/Dockerfile.jvm | tr ' ' '\n' | grep '^-XX:' | tr '\n' ' ' || true)
# JBoss LogManager behind SLF4J as in the services: without it, client libraries see TRACE enabled and format every record.
exec java -Djava.util.logging.manager=org.jboss.logmanager.LogManager $AGENT_JVM_FLAGS "-Dkbr.bench.agentJvmFlags=$AGENT_JVM_FLAGS" ${BENCH_JAVA_OPTS:-} -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)" io.kbr.bench.FullBackupBench "$@"
