import dev.warmstart.snapshot.loader.Snapshot

// The build's confirm step: a DSL version newer than the plugin knows, accepted with -Dsnapshot.difyVersionPolicy=warn.
def log = new File(basedir, 'build.log').text
assert log.contains('bot.yml:5: DSL version 0.8.0 is newer than 0.7.0')
assert log.contains('read as 0.7.0 because difyVersionPolicy is warn')
def tar = new File(basedir, 'target/snapshot/dify-newer-accepted-1.0-snapshot.tar')
def snapshot = Snapshot.open(tar.toPath())
try {
    assert snapshot.prompt('apps/bot/pre_prompt').render([name: 'Ada']) == 'You greet Ada warmly.'
    assert snapshot.config().getString('apps.bot.read_as_dsl_version') == '0.7.0'
} finally {
    snapshot.close()
}
return true
