import dev.warmstart.snapshot.loader.Snapshot
import java.nio.file.Files
import java.nio.file.Path

def log = new File(basedir, 'build.log').text
assert log.contains('BUILD FAILURE')
assert log.contains('same snapshot name') : 'build.log should mention ' + 'same snapshot name'
assert log.contains('a.json') : 'build.log should mention ' + 'a.json'
assert log.contains('a.yml') : 'build.log should mention ' + 'a.yml'

assert !new File(basedir, 'target/snapshot').listFiles()?.any { it.name.endsWith('.tar') }
return true
