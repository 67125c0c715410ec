def log = new File(basedir, 'build.log').text
def outside = new File(basedir.parentFile, 'external-link-outside.txt').canonicalPath
assert log.contains('BUILD FAILURE')
assert log.contains('src/main/snapshot/prompts/passwd.txt: is a file reached through a symbolic link to ' + outside)
assert log.contains('<followExternalLinks>true</followExternalLinks>')
assert !log.contains('root:x:0:0')
assert !new File(basedir, 'target/snapshot').listFiles()?.any { it.name.endsWith('.tar') }
return true
