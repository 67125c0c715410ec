import dev.warmstart.snapshot.loader.Snapshot
import java.nio.file.Files
import java.nio.file.Path

def log = new File(basedir, 'build.log').text

def tar = new File(basedir, 'target/snapshot/dify-project-1.0-snapshot.tar')
assert tar.isFile()
assert log.contains(' 2 apps, ')
assert log.contains('DSL version 0.1.5 is older than')
def snapshot = Snapshot.open(tar.toPath())
try {
    snapshot.verify()
    def names = snapshot.promptNames()
    assert names.containsAll(['apps/greeter/pre_prompt', 'apps/greeter/opening_statement',
            'apps/kb-bot/nodes/llm/0', 'apps/kb-bot/nodes/llm/1', 'apps/kb-bot/nodes/answer/answer',
            'apps/kb-bot/opening_statement'])
    assert snapshot.prompt('apps/greeter/pre_prompt').render([name: 'Ada']) == 'You greet Ada warmly.'
    def system = snapshot.prompt('apps/kb-bot/nodes/llm/0')
    assert system.variables() == ['#1700000000001.tone#', '#context#']
    assert system.render(['#1700000000001.tone#': 'calm', '#context#': 'C']) == 'Answer in a calm tone. Context: C'
    assert system.metadata('role').get() == 'system'
    assert snapshot.config().getString('apps.kb-bot.app.mode') == 'advanced-chat'
    assert snapshot.config().getDouble('apps.greeter.model_config.model.completion_params.temperature') == 0.7d
} finally {
    snapshot.close()
}
return true
