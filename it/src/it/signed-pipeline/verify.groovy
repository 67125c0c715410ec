import dev.warmstart.snapshot.loader.Snapshot
import dev.warmstart.snapshot.loader.SnapshotSignature
import dev.warmstart.snapshot.loader.TrustPolicy
import dev.warmstart.snapshot.store.SnapshotStore

def trust = TrustPolicy.fromPemFiles([new File(basedir, 'keys/signing-key.pub.pem').toPath()])
def built = new File(basedir, 'target/snapshot/signed-pipeline-1.0-snapshot.tar')
def snapshot = Snapshot.open(built.toPath(), trust)
def id
def keyId
try {
    id = snapshot.id()
    keyId = SnapshotSignature.of(snapshot).get().keyId()
    assert snapshot.config().getString('model.name') != null
} finally {
    snapshot.close()
}
assert keyId == trust.keyIds()[0]

def registry = SnapshotStore.open(new File(basedir, 'store').toPath()).registry()
assert registry.stable() == id
assert registry.snapshots()*.id() == [id] // neither refused snapshot got in

def log = new File(basedir, 'build.log').text
assert log.contains("Signed ${id} with key ${keyId}")
assert log.contains("Published snapshot ${id}")
assert log =~ /snapshot:publish refused: .*unsigned\.tar is not signed/
assert log =~ /snapshot:publish refused: .*other-key\.tar is signed by key [0-9a-f]{64}, which this service does not trust/
// The private key never reaches the log.
def secret = new File(basedir, 'keys/signing-key.pem').readLines().find { !it.startsWith('-----') }
assert !log.contains(secret)
return true
