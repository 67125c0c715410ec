#!/usr/bin/env bash
# Promote, canary and rollback end to end: two versions of the example app built and published with the plugin,
# served by the demo HTTP service, a 10% canary, then a canary that breaks and is rolled back by itself.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
version=0.2.0-SNAPSHOT
loader="$root/snapshot-loader/target/snapshot-loader-$version.jar"
work="$root/examples/canary-demo/target"
store="$work/store"
rm -rf "$work" && mkdir -p "$work"
demo_pid=
trap '[ -n "$demo_pid" ] && kill "$demo_pid" 2>/dev/null; true' EXIT

echo "== 1. build and install the plugin and the loader"
mvn -B -q install -DskipTests -pl snapshot-loader,snapshot-maven-plugin -am

echo "== 2. version 1 of the app: build, publish into the store, promote to stable"
mvn -B -q -f examples/support-bot/pom.xml package snapshot:publish snapshot:promote -Dsnapshot.store="$store"
java -jar "$loader" store status "$store"

echo "== 3. start the demo service on the store"
java -cp "$loader" examples/canary-demo/CanaryDemo.java "$store" 0 >"$work/demo.log" 2>&1 &
demo_pid=$!
for _ in $(seq 100); do
  port=$(sed -n 's/.*listening on http:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$work/demo.log")
  [ -n "$port" ] && break
  sleep 0.2
done
[ -n "$port" ] || { cat "$work/demo.log"; exit 1; }
url="http://127.0.0.1:$port"
ask() { # user, extra query
  curl -s -o /dev/null -w '%{http_code} %header{x-snapshot-id} %header{x-snapshot-channel}\n' \
    "$url/render?prompt=support/answer&user=$1&product=Acme%20Cloud&context=docs&question=How%3F$2"
}
echo "service at $url"
curl -s "$url/render?prompt=support/answer&user=alice&product=Acme%20Cloud&context=(docs)&question=Where%20is%20my%20invoice%3F"
echo

echo "== 4. version 2 (its answer prompt needs a new variable, {{tone}}): publish, canary at 10%"
mvn -B -q -f examples/support-bot/pom.xml package snapshot:publish snapshot:promote -Dsnapshot.store="$store" \
  -Dsnapshot.promptsDirectory="$root/examples/canary-demo/v2-prompts" \
  -Dsnapshot.channel=canary -Dsnapshot.percent=10 -Dsnapshot.minRequests=20
v2=$(java -jar "$loader" inspect --json examples/support-bot/target/snapshot/support-bot-1.0.0-snapshot.tar \
  | sed -n 's/.*"id": "\([^"]*\)".*/\1/p' | head -1)
for _ in $(seq 50); do curl -s "$url/status" | grep -q '"canary"' && break; sleep 0.2; done
echo "the service switched by itself: $(curl -s "$url/status")"

echo "== 5. 500 users whose clients send tone: who gets which snapshot"
for i in $(seq 500); do ask "user-$i" "&tone=friendly"; done | sort | uniq -c
echo "a request pinned to $v2 with X-Snapshot-Version:"
curl -s -o /dev/null -w '%{http_code} %header{x-snapshot-id} %header{x-snapshot-channel}\n' \
  -H "X-Snapshot-Version: $v2" "$url/render?prompt=support/answer&user=user-1&product=A&context=c&question=q&tone=calm"

echo "== 6. old clients that do not send tone: the canary fails for them, its guard trips, it is rolled back"
for i in $(seq 500); do ask "user-$i" ""; done | sort | uniq -c
grep -E "ROLLED BACK" "$work/demo.log"
echo "service: $(curl -s "$url/status")"
sleep 1
java -jar "$loader" store status "$store"
echo "== history of the store"
java -jar "$loader" store history "$store"
