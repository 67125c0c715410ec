import dev.warmstart.snapshot.loader.Snapshot
import java.nio.file.Files
import java.nio.file.Path

def log = new File(basedir, 'build.log').text
assert log.contains('BUILD FAILURE')
assert log.contains('p.prompt:2:7') : 'build.log should mention ' + 'p.prompt:2:7'
assert log.contains('unbalanced') : 'build.log should mention ' + 'unbalanced'

assert !new File(basedir, 'target/snapshot').listFiles()?.any { it.name.endsWith('.tar') }
return true
