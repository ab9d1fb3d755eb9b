#!/usr/bin/env bash
# Storage per change (issue 4): an attachment in N mailboxes is stored once; bytes written per modified item.
# Usage, from anywhere:  benchmarks/storage.sh [--mailboxes 50] [--modified 500] [--attachment-kb 1024]
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -B ${MVN_FLAGS:-} install -DskipTests -pl benchmarks -am
exec java -Djava.util.logging.manager=org.jboss.logmanager.LogManager ${BENCH_JAVA_OPTS:-} -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)" io.kbr.bench.StorageBench "$@"
