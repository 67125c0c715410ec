import dev.warmstart.snapshot.loader.Snapshot
import java.nio.file.Files
import java.nio.file.Path

def log = new File(basedir, 'build.log').text
assert log.contains('BUILD FAILURE')
assert log.contains('model.yml:2:') : 'build.log should mention ' + 'model.yml:2:'
assert log.contains("'model.api_key'") : 'build.log should mention ' + "'model.api_key'"
assert log.contains('${env:MODEL_API_KEY}') : 'build.log should mention ' + '${env:MODEL_API_KEY}'
assert log.contains('secretAllowlist') : 'build.log should mention ' + 'secretAllowlist'
assert !log.contains('Zq8cT1w9XbL4mN7pR2sV5yA0dF3gH6jK') : 'build.log must not contain the secret'
assert !new File(basedir, 'target/snapshot').listFiles()?.any { it.name.endsWith('.tar') }
return true
