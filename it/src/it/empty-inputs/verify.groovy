// No src/main/snapshot at all: the log says what was looked for, the empty snapshot is a warning, and
// failOnWarning turns it into a failure.
def log = new File(basedir, 'build.log').text
assert log.contains('No config directory (src/main/snapshot/config): nothing to read there')
assert log.contains('No prompts directory (src/main/snapshot/prompts)')
assert log.contains('[WARNING] the snapshot is empty')
assert log.contains('1 warning(s) and snapshot.failOnWarning is set')
assert log.contains('BUILD FAILURE')
return true
