// A prompt that is a symbolic link to a file outside the project, as a hostile or careless change could add.
import java.nio.file.Files

def outside = new File(basedir.parentFile, 'external-link-outside.txt')
outside.text = 'root:x:0:0:root:/root:/bin/bash\n'
def link = new File(basedir, 'src/main/snapshot/prompts/passwd.txt').toPath()
Files.deleteIfExists(link)
Files.createSymbolicLink(link, outside.toPath())
return true
