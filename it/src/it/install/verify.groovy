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
// The sidecar travels with the tar, so whoever fetches the tar alone can check it with sha256sum -c.
def sidecar = new File(localRepositoryPath, 'dev/warmstart/it/install/1.0/install-1.0-snapshot.tar.sha256')
assert sidecar.isFile() : 'the .sha256 sidecar must be installed beside the tar: ' + sidecar
def sha = java.security.MessageDigest.getInstance('SHA-256').digest(installed.bytes).encodeHex().toString()
assert sidecar.text == sha + '  install-1.0-snapshot.tar\n'
return true
