import dev.warmstart.snapshot.loader.Snapshot
import java.nio.file.Files
import java.nio.file.Path

def log = new File(basedir, 'build.log').text
assert log.contains('BUILD FAILURE')
assert log.contains('latin1.yml:1:8') : 'build.log should mention ' + 'latin1.yml:1:8'
assert log.contains('not valid UTF-8') : 'build.log should mention ' + 'not valid UTF-8'

assert !new File(basedir, 'target/snapshot').listFiles()?.any { it.name.endsWith('.tar') }
return true
