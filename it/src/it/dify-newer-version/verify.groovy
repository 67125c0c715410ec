// DSL 9.0.0 is of another major version: Dify asks the user to confirm such an import; the build refuses it and
// names the parameter that accepts it.
def log = new File(basedir, 'build.log').text
assert log.contains('BUILD FAILURE')
assert log.contains('bot.yml:5') : 'build.log should mention ' + 'bot.yml:5'
assert log.contains('9.0.0') : 'build.log should mention ' + '9.0.0'
assert log.contains('0.7.0') : 'build.log should mention ' + '0.7.0'
assert log.contains('<difyVersionPolicy>warn</difyVersionPolicy> (-Dsnapshot.difyVersionPolicy=warn)')

assert !new File(basedir, 'target/snapshot').listFiles()?.any { it.name.endsWith('.tar') }
return true
