import dev.warmstart.snapshot.loader.Snapshot
import dev.warmstart.snapshot.store.SnapshotRecord
import dev.warmstart.snapshot.store.SnapshotStore

def idOf = { String file ->
    def s = Snapshot.open(new File(basedir, file).toPath())
    try { s.id() } finally { s.close() }
}
def v1 = idOf('v1.tar')
def v2 = idOf('v2.tar')
def registry = SnapshotStore.open(new File(basedir, 'store').toPath()).registry()
assert registry.revision() == 5
assert registry.stable() == v1
assert registry.snapshot(v2).get().status() == SnapshotRecord.ROLLED_BACK
assert registry.snapshot(v2).get().reason() == 'rolled back by hand'
assert new File(basedir, "store/snapshots/${v1}.tar").bytes == new File(basedir, 'v1.tar').bytes

def log = new File(basedir, 'build.log').text
assert log.contains("Published snapshot ${v1}")
assert log.contains("is at revision 4: promote ${v2} to stable")
assert log.contains('history (5 revisions, oldest first):')
assert log =~ /\s+5\s+\S+\s+rollback\s+\[stable ${v1}\]/
assert log.contains("snapshot:promote refused: no snapshot '20260101T000000Z-000000000000'")
return true
