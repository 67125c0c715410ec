import dev.warmstart.snapshot.loader.Snapshot
import java.nio.file.Files
import java.nio.file.Path

def log = new File(basedir, 'build.log').text

def tar = new File(basedir, 'target/snapshot/plain-project-1.0-snapshot.tar')
assert tar.isFile()
def sidecar = new File(basedir, 'target/snapshot/plain-project-1.0-snapshot.tar.sha256')
assert sidecar.isFile()
def sha = java.security.MessageDigest.getInstance('SHA-256').digest(tar.bytes).encodeHex().toString()
assert sidecar.text == sha + '  plain-project-1.0-snapshot.tar\n'
assert new File(basedir, 'target/snapshot/registry.json').text.contains(sha)
assert log =~ /Snapshot \d{8}T\d{6}Z-[0-9a-f]{12}: 8 config keys, 3 prompts, 0 apps, /

def snapshot = Snapshot.open(tar.toPath())
try {
    snapshot.verify()
    def config = snapshot.config()
    assert config.getString('model.name') == 'gpt-4o-mini'
    assert config.getDouble('model.completion_params.temperature') == 0.2d
    assert config.getInt('retrieval.top_k') == 4
    assert config.getBoolean('retrieval.rerank.enabled')
    assert config.getString('llm.fallback.name') == 'gpt-4o'
    assert config.getStringList('model.stop') == ['\nUser:']
    assert config.value('model.api_key') == '${env:OPENAI_API_KEY}'
    assert snapshot.promptNames() == ['notes', 'support/answer', 'triage']
    assert snapshot.prompt('support/answer').render([question: 'Why?', context: 'docs']) == 'Answer Why? using docs.'
    assert snapshot.prompt('triage').version().get() == '2'
    assert snapshot.prompt('triage').metadata('model.name').get() == 'gpt-4o-mini'
    assert snapshot.metadata().provenance().get('project') == 'dev.warmstart.it:plain-project:1.0'
} finally {
    snapshot.close()
}
return true
