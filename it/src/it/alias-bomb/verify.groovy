import dev.warmstart.snapshot.loader.Snapshot
import java.nio.file.Files
import java.nio.file.Path

def log = new File(basedir, 'build.log').text
assert log.contains('BUILD FAILURE')
assert log.contains('bomb.yml') : 'build.log should mention ' + 'bomb.yml'
assert log.contains('aliases') : 'build.log should mention ' + 'aliases'

assert !new File(basedir, 'target/snapshot').listFiles()?.any { it.name.endsWith('.tar') }
return true
