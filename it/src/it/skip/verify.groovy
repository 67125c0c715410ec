import dev.warmstart.snapshot.loader.Snapshot
import java.nio.file.Files
import java.nio.file.Path

def log = new File(basedir, 'build.log').text

assert log.contains('Skipping snapshot build')
assert !new File(basedir, 'target/snapshot').exists()
return true
