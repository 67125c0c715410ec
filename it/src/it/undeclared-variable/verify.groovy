import dev.warmstart.snapshot.loader.Snapshot
import java.nio.file.Files
import java.nio.file.Path

def log = new File(basedir, 'build.log').text
assert log.contains('BUILD FAILURE')
assert log.contains('p.yml:4') : 'build.log should mention ' + 'p.yml:4'
assert log.contains("'b'") : 'build.log should mention ' + "'b'"
assert log.contains('not declared') : 'build.log should mention ' + 'not declared'

assert !new File(basedir, 'target/snapshot').listFiles()?.any { it.name.endsWith('.tar') }
return true
