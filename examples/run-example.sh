#!/usr/bin/env bash
# The whole path in one command: build the plugin and the loader, snapshot the example app with the plugin,
# then open the snapshot with the loader's command line as a service would.
set -euo pipefail
cd "$(dirname "$0")/.."
version=0.2.0-SNAPSHOT
loader="snapshot-loader/target/snapshot-loader-$version.jar"
snapshot=examples/support-bot/target/snapshot/support-bot-1.0.0-snapshot.tar

echo "== 1. build and install the plugin and the loader"
./mvnw -B -q install -DskipTests -pl snapshot-loader,snapshot-maven-plugin -am
echo "== 2. snapshot the example app (mvn package runs snapshot:build)"
./mvnw -B -f examples/support-bot/pom.xml package
echo "== 3. inspect and verify the snapshot"
java -jar "$loader" inspect "$snapshot"
java -jar "$loader" verify "$snapshot"
echo "== 4. read config and render prompts, as the service would at startup"
java -jar "$loader" get "$snapshot" model.completion_params.temperature
OPENAI_BASE_URL=http://localhost:8080/v1 java -jar "$loader" get "$snapshot" model.base_url
java -jar "$loader" render "$snapshot" support/triage tier=pro "request=My invoice export is empty"
echo
java -jar "$loader" render "$snapshot" "apps/support-assistant/nodes/1731000000003/0" \
  "#conversation.product#=Acme Cloud" "#1731000000001.tier#=pro" "#context#=(retrieved passages)"
echo
