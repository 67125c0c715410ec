import dev.warmstart.snapshot.loader.Snapshot
import java.nio.file.Files
import java.nio.file.Path

def log = new File(basedir, 'build.log').text
assert log.contains('BUILD FAILURE')
assert log.contains('bot.yml:5') : 'build.log should mention ' + 'bot.yml:5'
assert log.contains('9.0.0') : 'build.log should mention ' + '9.0.0'
assert log.contains('0.5.0') : 'build.log should mention ' + '0.5.0'

assert !new File(basedir, 'target/snapshot').listFiles()?.any { it.name.endsWith('.tar') }
return true
