#!/usr/bin/env bash
# The kbr local demo: builds kbr (first run downloads Maven and the dependencies), starts MariaDB, Kafka
# and an S3 server on loopback ports, seeds a demo Kopano database, runs the backup-agent and the
# catalog-service, and prints what was backed up and API calls to try. Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")"
./mvnw -q -B package -DskipTests -pl demo -am
exec java -jar demo/target/demo.jar "$@"
