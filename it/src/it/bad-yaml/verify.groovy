import dev.warmstart.snapshot.loader.Snapshot
import java.nio.file.Files
import java.nio.file.Path

def log = new File(basedir, 'build.log').text
assert log.contains('BUILD FAILURE')
assert log.contains('broken.yml:') : 'build.log should mention ' + 'broken.yml:'
assert log.contains('malformed YAML') : 'build.log should mention ' + 'malformed YAML'

assert !new File(basedir, 'target/snapshot').listFiles()?.any { it.name.endsWith('.tar') }
return true
