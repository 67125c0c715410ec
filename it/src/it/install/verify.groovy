import dev.warmstart.snapshot.loader.Snapshot
import java.nio.file.Files
import java.nio.file.Path

def log = new File(basedir, 'build.log').text

def installed = new File(localRepositoryPath, 'dev/warmstart/it/install/1.0/install-1.0-snapshot.tar')
assert installed.isFile() : 'the snapshot tar must be installed beside the pom: ' + installed
def s = Snapshot.open(installed.toPath())
try {
    s.verify()
    assert s.config().getString('model.name') == 'gpt-4o'
} finally {
    s.close()
}
return true
