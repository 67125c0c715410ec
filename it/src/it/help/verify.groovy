import dev.warmstart.snapshot.loader.Snapshot
import java.nio.file.Files
import java.nio.file.Path

def log = new File(basedir, 'build.log').text

assert log.contains('snapshot:build')
assert log.contains('snapshot.skip')
return true
