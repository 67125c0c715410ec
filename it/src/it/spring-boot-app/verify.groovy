// A real Spring Boot application built with the plugin and the starter, started with `java -jar` on a loopback
// ephemeral port and called over HTTP: binding and precedence, prompts, pinning, canary share, actuator,
// Prometheus, a hot switch under load, and a wrong location failing start-up with the analyzer's report.
import dev.warmstart.snapshot.store.CanaryRule
import dev.warmstart.snapshot.store.SnapshotStore
import groovy.json.JsonSlurper
import java.util.concurrent.TimeUnit
import java.util.concurrent.atomic.AtomicBoolean

def storeDir = new File(basedir, 'store')
def store = SnapshotStore.open(storeDir.toPath())
def registry = store.registry()
assert registry.snapshots().size() == 2
def v1 = registry.stable()
def v2 = registry.snapshots().find { it.id() != v1 }.id()

def jar = new File(basedir, 'target/spring-boot-app-1.0.jar')
assert jar.isFile()
def java = new File(System.getProperty('java.home'), 'bin/java').path

/** Starts the app; returns [process, log file]. */
def start = { String name, List args, Map<String, String> env ->
    def log = new File(basedir, name + '.log')
    def pb = new ProcessBuilder([java, '-Xmx256m', '-XX:TieredStopAtLevel=1', '-jar', jar.path,
            '--server.address=127.0.0.1', '--server.port=0'] + args.collect { it.toString() })
            .redirectErrorStream(true).redirectOutput(log)
    pb.environment().putAll(env)
    [pb.start(), log]
}

// The port the started app's Tomcat listens on, read from its log; fails when the process exits first. A binding
// variable (no def), so that cds-recipe.groovy, evaluated with this script's binding, waits the same way.
tomcatPort = { Process p, File log, String what ->
    for (int i = 0; i < 1200; i++) {
        def m = log.text =~ /Tomcat started on port (?:\(s\): )?(\d+)/
        if (m.find()) {
            return m.group(1)
        }
        assert p.alive : "${what} exited before it started: " + log.text
        Thread.sleep(100)
    }
    assert false : "${what} did not start: " + log.text
}

def stop = { Process p ->
    if (p != null && p.alive) {
        p.destroy()
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly()
            p.waitFor(10, TimeUnit.SECONDS)
        }
    }
}

def json = new JsonSlurper()
def process = null
try {
    def started = start('app', ["--warmstart.snapshot.location=${storeDir.path}",
            '--management.endpoints.web.exposure.include=health,snapshot,prometheus',
            '--management.endpoint.health.show-details=always'],
            // Relaxed binding: overrides model.temperature from the snapshot.
            [MODEL_TEMPERATURE: '0.9'])
    process = started[0]
    def log = started[1]
    def port = tomcatPort(process, log, 'the app')

    def get = { String path, Map headers = [:] ->
        def c = new URL("http://127.0.0.1:${port}${path}").openConnection()
        c.connectTimeout = 5000
        c.readTimeout = 10000
        headers.each { k, v -> c.setRequestProperty(k, v) }
        def status = c.responseCode
        def body = (status < 400 ? c.inputStream : c.errorStream)?.text
        [status: status, id: c.getHeaderField('X-Snapshot-Id'), body: body]
    }

    // Bound from the snapshot; the environment variable wins over it; the prompt rendered from it.
    def r = get('/answer?question=hello')
    assert r.status == 200 : r
    def answer = json.parseText(r.body)
    assert answer.model == 'gpt-4o-mini'
    assert answer.temperature == 0.9
    assert answer.prompt == 'v1 answers: hello'
    assert answer.snapshot == v1 && r.id == v1

    // A canary at 30%, promoted while the app runs.
    store.promoteCanary('canary', v2, new CanaryRule(30, [] as Set, true), null)
    def deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30)
    while (!json.parseText(get('/actuator/snapshot').body).channels.containsKey('canary')) {
        assert System.nanoTime() < deadline : 'the canary never served: ' + get('/actuator/snapshot').body
        Thread.sleep(100)
    }
    def onCanary = 0
    for (int i = 0; i < 200; i++) {
        def u = get("/answer?question=q${i}", ['X-User-Id': "user-${i}"])
        assert u.status == 200 : u
        def a = json.parseText(u.body)
        assert a.snapshot == u.id
        if (u.id == v2) {
            onCanary++
            assert a.prompt == "v2 answers politely: q${i}"
        } else {
            assert u.id == v1 && a.prompt == "v1 answers: q${i}"
        }
    }
    // 30% of 200 is 60, with a standard deviation of about 6.5: outside 40..80 is a routing bug, not chance.
    assert onCanary >= 40 && onCanary <= 80 : "canary share ${onCanary}/200, expected about 30%"

    // The pin header.
    def pinned = get('/answer?question=pin', ['X-Snapshot-Version': v2, 'X-User-Id': 'someone'])
    assert pinned.id == v2 && json.parseText(pinned.body).prompt == 'v2 answers politely: pin'

    // Actuator.
    def health = json.parseText(get('/actuator/health').body)
    assert health.status == 'UP'
    assert health.components.snapshot.status == 'UP'
    assert health.components.snapshot.details.channels.stable == v1
    def state = json.parseText(get('/actuator/snapshot').body)
    assert state.channels == [stable: v1, canary: v2]
    assert state.canaries.size() == 1 && state.canaries[0].percent == 30.0
    assert state.snapshots.every { it.configKeys == 3 && it.prompts == 1 }
    assert state.registry.change

    // Prometheus.
    def scrape = get('/actuator/prometheus').body
    assert scrape.contains('warmstart_snapshot_selections_total{channel="canary"')
    assert scrape.contains('warmstart_snapshot_selections_total{channel="stable"')
    assert scrape.contains("warmstart_snapshot_outcomes_total{outcome=\"success\",snapshot=\"${v2}\"")
    assert scrape.contains('warmstart_snapshot_switches_total')
    assert scrape.contains('warmstart_snapshot_rollbacks_total')

    // A hot switch while requests run: v2 becomes stable; no request fails, and once a request sees v2 no
    // later one sees v1.
    def running = new AtomicBoolean(true)
    def seen = Collections.synchronizedList([])
    def errors = Collections.synchronizedList([])
    def load = (1..2).collect { t ->
        Thread.start {
            while (running.get()) {
                try {
                    def x = get('/answer?question=load')
                    if (x.status != 200) {
                        errors << x
                    }
                    seen << [t: t, id: x.id, body: json.parseText(x.body)]
                } catch (Exception e) {
                    errors << e.toString()
                }
            }
        }
    }
    Thread.sleep(300)
    store.promoteStable(v2, null)
    deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30)
    while (!(seen.size() > 0 && seen[-1].id == v2)) {
        assert System.nanoTime() < deadline : 'the switch never showed'
        Thread.sleep(50)
    }
    Thread.sleep(300)
    running.set(false)
    load*.join()
    assert errors.isEmpty() : errors
    assert seen.count { it.id == v1 } > 0 && seen.count { it.id == v2 } > 0
    [1, 2].each { t ->
        def ids = seen.findAll { it.t == t }*.id
        assert ids.indexOf(v2) >= 0 && ids.lastIndexOf(v1) < ids.indexOf(v2) : "thread ${t} went back to v1"
    }
    def after = json.parseText(get('/answer?question=after').body)
    assert after.snapshot == v2 && after.prompt == 'v2 answers politely: after'
    // Bound once vs looked up now (docs/spring-boot.md).
    assert after.model == 'gpt-4o-mini' && after.currentModel == 'gpt-4o'
    assert json.parseText(get('/actuator/snapshot').body).channels.stable == v2
    assert get('/actuator/prometheus').body =~ /warmstart_snapshot_switches_total(\{[^}]*\})? [1-9]/
} finally {
    stop(process)
}

// A wrong location: start-up fails with the failure analyzer's report, naming the property.
def bad = null
try {
    def started = start('bad-location', ["--warmstart.snapshot.location=${new File(basedir, 'no-such-store').path}"], [:])
    bad = started[0]
    assert bad.waitFor(120, TimeUnit.SECONDS) : 'the app with a wrong location did not exit'
    assert bad.exitValue() != 0
    def text = started[1].text
    assert text.contains('APPLICATION FAILED TO START') : text
    assert text.contains('warmstart.snapshot.location=') && text.contains('no-such-store')
    assert text.contains('no such file or directory')
    assert text.contains('Action:') && text.contains('snapshot:build')
} finally {
    stop(bad)
}
// The class-data archive recipe for Spring Boot (docs/cold-start.md, recipe 3), on the application built here.
evaluate(new File(basedir, 'cds-recipe.groovy'))
true
