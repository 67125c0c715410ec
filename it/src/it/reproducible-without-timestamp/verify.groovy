import dev.warmstart.snapshot.loader.Snapshot
import java.nio.file.Files
import java.nio.file.Path

def log = new File(basedir, 'build.log').text

def hash = { f -> def s = Snapshot.open(new File(basedir, f).toPath()); try { s.contentHash() } finally { s.close() } }
assert hash('out1/reproducible-without-timestamp-1.0-snapshot.tar') == hash('out2/reproducible-without-timestamp-1.0-snapshot.tar')
return true
