import dev.warmstart.snapshot.loader.Snapshot
import java.nio.file.Files
import java.nio.file.Path

def log = new File(basedir, 'build.log').text

def a = new File(basedir, 'out1/reproducible-1.0-snapshot.tar')
def b = new File(basedir, 'out2/reproducible-1.0-snapshot.tar')
assert a.isFile() && b.isFile()
assert Arrays.equals(a.bytes, b.bytes) : 'two builds with project.build.outputTimestamp must be byte-identical'
def s = Snapshot.open(a.toPath())
try {
    assert s.id().startsWith('20260101T000000Z-')
} finally {
    s.close()
}
return true
