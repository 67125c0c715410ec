// Two versions built and published by the plugin; a canary at 10% served by the demo service over HTTP;
// injected failures on the canary; the automatic rollback observed in the service and in the registry.
import dev.warmstart.snapshot.store.SnapshotStore
import dev.warmstart.snapshot.store.SnapshotRecord
import java.util.concurrent.TimeUnit

def log = new File(basedir, 'build.log').text
assert log.contains('Published snapshot ')

def store = SnapshotStore.open(new File(basedir, 'store').toPath())
def registry = store.registry()
assert registry.snapshots().size() == 2
def v1 = registry.stable()
def canary = registry.canary('canary').get()
def v2 = canary.snapshotId()
assert v1 != v2
assert canary.rule().percent() == 10.0d
assert registry.stableGuard() != null && canary.guard().minRequests() == 20

// The demo service, from its source in examples/, with the loader staged by invoker:install.
def root = basedir.parentFile
while (root != null && !new File(root, 'examples/canary-demo/CanaryDemo.java').isFile()) {
    root = root.parentFile
}
assert root != null : 'cannot find examples/canary-demo above ' + basedir
def jar = new File(localRepositoryPath, 'dev/warmstart/snapshot-loader/0.2.0-SNAPSHOT/snapshot-loader-0.2.0-SNAPSHOT.jar')
assert jar.isFile()
def java = new File(System.getProperty('java.home'), 'bin/java').path
def demoLog = new File(basedir, 'demo.log')
def process = new ProcessBuilder(java, '-cp', jar.path, new File(root, 'examples/canary-demo/CanaryDemo.java').path,
        new File(basedir, 'store').path, '0').redirectErrorStream(true).redirectOutput(demoLog).start()
try {
    def port = null
    for (int i = 0; i < 300 && port == null; i++) {
        def m = demoLog.text =~ /listening on http:\/\/127\.0\.0\.1:(\d+)/
        if (m.find()) {
            port = m.group(1)
        } else {
            assert process.alive : 'the demo exited: ' + demoLog.text
            Thread.sleep(100)
        }
    }
    assert port != null : 'the demo did not start: ' + demoLog.text

    def get = { String path, Map headers = [:] ->
        def c = new URL("http://127.0.0.1:${port}${path}").openConnection()
        headers.each { k, v -> c.setRequestProperty(k, v) }
        def status = c.responseCode
        def body = (status < 400 ? c.inputStream : c.errorStream).text
        [status: status, id: c.getHeaderField('X-Snapshot-Id'), channel: c.getHeaderField('X-Snapshot-Channel'), body: body]
    }

    // Routing: about 10% of users on the canary, each user always on the same side.
    def onCanary = 0
    def sideOf = [:]
    for (int i = 0; i < 1000; i++) {
        def r = get("/render?prompt=greeting&user=user-${i}&name=Ann&product=Acme&tone=warm")
        assert r.status == 200 : r
        if (r.id == v2) {
            onCanary++
            assert r.channel == 'canary' && r.body == 'Hi Ann! Acme now answers in a warm tone.'
        } else {
            assert r.id == v1 && r.channel == 'stable' && r.body == 'Hello Ann, welcome to Acme.'
        }
        sideOf["user-${i}"] = r.id
    }
    assert onCanary >= 70 && onCanary <= 130 : "canary got ${onCanary} of 1000"
    (0..<50).each { i -> assert get("/render?prompt=greeting&user=user-${i}&name=A&product=B&tone=c").id == sideOf["user-${i}"] }

    // The pin header wins over the percentage.
    def stableUser = sideOf.find { k, v -> v == v1 }.key
    def pinned = get("/render?prompt=greeting&user=${stableUser}&name=A&product=B&tone=c", ['X-Snapshot-Version': v2])
    assert pinned.id == v2 && pinned.channel == 'pinned'

    // Inject failures: clients that do not send "tone" break the canary's prompt (500) and only the canary's.
    def responses = []
    for (int i = 0; i < 400; i++) {
        def r = get("/render?prompt=greeting&user=user-${i}&name=Ann&product=Acme")
        r.user = "user-${i}".toString()
        if (r.status == 500) {
            assert r.id == v2 && r.body.contains('tone') : r
        } else {
            assert r.status == 200 && r.id == v1 : r
        }
        responses << r
    }
    def failures = responses.count { it.status == 500 }
    // The guard (3%, at least 20 requests) trips at the 4th failure among the ~110 canary requests so far,
    // and from the next request on, the canary's users are served by stable.
    assert failures == 4 : "${failures} failures before the rollback"
    def lastFailure = responses.findLastIndexOf { it.status == 500 }
    def rerouted = responses.drop(lastFailure + 1).findAll { sideOf[it.user] == v2 }
    assert rerouted.size() > 10 : "only ${rerouted.size()} canary users asked after the rollback"
    assert rerouted.every { it.id == v1 && it.status == 200 && it.channel == 'stable' }
    def status = get('/status').body
    assert status.contains('"rollbacks": 1') : status
    assert !status.contains('"canary"') || status.contains('"channels": {"stable": "' + v1 + '"}') : status

    // The registry records it, with the reason.
    def deadline = System.currentTimeMillis() + 20000
    while (store.registry().snapshot(v2).get().status() != SnapshotRecord.ROLLED_BACK) {
        assert System.currentTimeMillis() < deadline : 'the registry does not record the rollback'
        Thread.sleep(100)
    }
    def after = store.registry()
    assert after.canaries().isEmpty() && after.stable() == v1
    assert after.snapshot(v2).get().reason().startsWith('automatic rollback: failure rate')
    assert demoLog.text.contains('ROLLED BACK ' + v2)
} finally {
    process.destroy()
    process.waitFor(10, TimeUnit.SECONDS)
}
return true
