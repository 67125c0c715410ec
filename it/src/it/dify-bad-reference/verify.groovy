import dev.warmstart.snapshot.loader.Snapshot
import java.nio.file.Files
import java.nio.file.Path

def log = new File(basedir, 'build.log').text
assert log.contains('BUILD FAILURE')
assert log.contains('bot.yml') : 'build.log should mention ' + 'bot.yml'
assert log.contains('apps/bot/nodes/llm/1') : 'build.log should mention ' + 'apps/bot/nodes/llm/1'
assert log.contains("'ghost_node'") : 'build.log should mention ' + "'ghost_node'"

assert !new File(basedir, 'target/snapshot').listFiles()?.any { it.name.endsWith('.tar') }
return true
