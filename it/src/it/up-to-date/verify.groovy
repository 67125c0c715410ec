import dev.warmstart.snapshot.loader.Snapshot
import java.nio.file.Files
import java.nio.file.Path

def log = new File(basedir, 'build.log').text

assert log.contains('Inputs unchanged since the last build: keeping up-to-date-1.0-snapshot.tar')
assert new File(basedir, 'target/snapshot/up-to-date-1.0-snapshot.tar').isFile()
return true
