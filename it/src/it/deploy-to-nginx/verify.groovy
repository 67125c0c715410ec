// The deployed artifacts are in the nginx Maven repository; the release stage fetched the snapshot from there,
// published and promoted it into the remote store on the same nginx; a service opening the store's URL with a
// cache directory serves it.
import dev.warmstart.snapshot.loader.Snapshot
import dev.warmstart.snapshot.store.RequestContext
import dev.warmstart.snapshot.store.SnapshotManager
import dev.warmstart.snapshot.store.SnapshotStore
import java.security.MessageDigest
import java.util.concurrent.TimeUnit

def work = new File(basedir, 'nginx')
def props = new Properties()
new File(basedir, 'test.properties').withReader('UTF-8') { props.load(it) }
def storeUrl = props.getProperty('snapshot.store')
try {
    // Build stage: the tar and its .sha256 sidecar in the repository, the sidecar naming the tar's SHA-256.
    def dir = new File(work, 'www/maven/dev/warmstart/examples/support-bot/1.0.0')
    def tar = new File(dir, 'support-bot-1.0.0-snapshot.tar')
    def sidecar = new File(dir, 'support-bot-1.0.0-snapshot.tar.sha256')
    assert tar.isFile() : "not deployed: ${dir.list()}"
    assert sidecar.isFile()
    assert new File(dir, 'support-bot-1.0.0.pom').isFile()
    def sha256 = MessageDigest.getInstance('SHA-256').digest(tar.bytes).encodeHex().toString()
    assert sidecar.text.startsWith(sha256)
    assert new File(basedir, 'target/snapshot/support-bot-1.0.0-snapshot.tar').bytes == tar.bytes
    // the deploy did not install (maven.install.skip): the release stage had to fetch the tar from nginx
    assert !new File(localRepositoryPath, 'dev/warmstart/examples/support-bot/1.0.0/support-bot-1.0.0.pom').exists()

    def id = Snapshot.open(tar.toPath()).withCloseable { it.id() }
    def access = new File(work, 'logs/access.log').readLines()
    // the release stage downloaded the tar from the repository, with the deployer's credentials
    assert access.any { it ==~ /GET \/maven\/dev\/warmstart\/examples\/support-bot\/1\.0\.0\/support-bot-1\.0\.0-snapshot\.tar 200 \d+ deployer/ } :
            access.join('\n')
    // and changed the store under its lock, with the store's credentials
    assert access.any { it.startsWith('LOCK /store/registry.json 200') && it.endsWith(' publisher') } : access.join('\n')
    assert access.any { it.startsWith("PUT /store/snapshots/${id}.tar 201") }

    def log = new File(basedir, 'build.log').text
    assert log.contains("Fetched dev.warmstart.examples:support-bot:tar:snapshot:1.0.0 from team-releases")
    assert log.contains("Published snapshot ${id}")
    assert log.contains("Store ${storeUrl} is at revision 2: promote ${id} to stable")
    assert !log.contains('store-secret-91c2') && !log.contains('deploy-secret-7f3a')

    // Without the store's credentials the server refuses the LOCK, and the goal says what to do.
    assert log.contains('snapshot:rollback refused: LOCK ' + storeUrl + 'registry.json answered HTTP 401')
    def registry = SnapshotStore.open(new File(work, 'www/store').toPath()).registry()
    assert registry.revision() == 2
    assert registry.stable() == id

    // A service: the store's URL and a cache directory of its own.
    def cache = new File(basedir, 'service-cache').toPath()
    SnapshotManager.open(URI.create(storeUrl), cache).withCloseable { manager ->
        assert manager.stableId() == id
        manager.select(RequestContext.forUser('u-42')).withCloseable { lease ->
            assert lease.snapshotId() == id
            def config = lease.snapshot().config()
            assert config.getString('model.name') == 'gpt-4o-mini'
            assert config.getDouble('model.completion_params.temperature') == 0.2d
            assert lease.snapshot().prompt('summarize') != null
        }
    }
    assert new File(cache.toFile(), 'registry.json').isFile()
} finally {
    def pid = new File(work, 'pid')
    if (pid.isFile()) {
        ProcessHandle.of(pid.text.trim() as long).ifPresent { p ->
            p.destroy()
            p.onExit().get(15, TimeUnit.SECONDS)
        }
    }
}
return true
