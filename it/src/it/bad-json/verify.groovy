import dev.warmstart.snapshot.loader.Snapshot
import java.nio.file.Files
import java.nio.file.Path

def log = new File(basedir, 'build.log').text
assert log.contains('BUILD FAILURE')
assert log.contains('broken.json:4:') : 'build.log should mention ' + 'broken.json:4:'
assert log.contains('malformed JSON') : 'build.log should mention ' + 'malformed JSON'

assert !new File(basedir, 'target/snapshot').listFiles()?.any { it.name.endsWith('.tar') }
return true
