import dev.warmstart.snapshot.loader.Snapshot
import java.nio.file.Files
import java.nio.file.Path

def log = new File(basedir, 'build.log').text
assert log.contains('BUILD FAILURE')
assert log.contains('dup.yml:3:') : 'build.log should mention ' + 'dup.yml:3:'
assert log.contains("duplicate key 'name'") : 'build.log should mention ' + "duplicate key 'name'"

assert !new File(basedir, 'target/snapshot').listFiles()?.any { it.name.endsWith('.tar') }
return true
