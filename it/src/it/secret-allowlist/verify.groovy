import dev.warmstart.snapshot.loader.Snapshot
import java.nio.file.Files
import java.nio.file.Path

def log = new File(basedir, 'build.log').text

assert new File(basedir, 'target/snapshot/secret-allowlist-1.0-snapshot.tar').isFile()
return true
