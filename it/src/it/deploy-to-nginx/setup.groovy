// Starts a real nginx on a loopback ephemeral port, serving nginx/www: /maven/ is the team's Maven repository
// (WebDAV PUT, MKCOL), /store/ the remote snapshot store (WebDAV PUT, DELETE, MKCOL, and LOCK/UNLOCK from the dav-ext
// module). Reads are open on /store/ (replicas) and need the deployer's credentials on /maven/; every write needs
// credentials. Copies examples/support-bot's inputs beside the pom, and writes test.properties for the builds.
import java.util.concurrent.TimeUnit

def copyTree = { File from, File to ->
    from.eachFileRecurse { f ->
        def target = new File(to, from.toPath().relativize(f.toPath()).toString())
        if (f.isDirectory()) {
            target.mkdirs()
        } else {
            target.parentFile.mkdirs()
            target.bytes = f.bytes
        }
    }
}
def example = new File(basedir, '../../../../examples/support-bot/src').canonicalFile
assert example.isDirectory() : "examples/support-bot not found at ${example}"
copyTree(example, new File(basedir, 'src'))

// The release stage runs as on a fresh CI agent: nothing of the app in the local repository (the local repository is
// shared by the Maven 3.9 and 3.8 runs of this case).
new File(localRepositoryPath, 'dev/warmstart/examples/support-bot').deleteDir()

def work = new File(basedir, 'nginx')
['logs', 'tmp', 'www/maven', 'www/store'].each { new File(work, it).mkdirs() }
// nginx's {PLAIN} scheme: test credentials only
new File(work, 'maven.htpasswd').text = 'deployer:{PLAIN}deploy-secret-7f3a\n'
new File(work, 'store.htpasswd').text = 'publisher:{PLAIN}store-secret-91c2\n'

def port = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()).withCloseable { it.localPort }
def w = work.absolutePath
def conf = new File(work, 'nginx.conf')
conf.text = """\
load_module /usr/lib/nginx/modules/ngx_http_dav_ext_module.so;
${System.getProperty('user.name') == 'root' ? 'user root;' : ''}
worker_processes 1;
pid ${w}/logs/nginx.pid;
error_log ${w}/logs/error.log info;
events { worker_connections 64; }
http {
  log_format it '\$request_method \$request_uri \$status \$body_bytes_sent \$remote_user';
  access_log ${w}/logs/access.log it;
  client_body_temp_path ${w}/tmp/body;
  proxy_temp_path ${w}/tmp/proxy;
  fastcgi_temp_path ${w}/tmp/fastcgi;
  uwsgi_temp_path ${w}/tmp/uwsgi;
  scgi_temp_path ${w}/tmp/scgi;
  types { application/json json; application/x-tar tar; }
  default_type application/octet-stream;
  dav_ext_lock_zone zone=store:1m;
  server {
    listen 127.0.0.1:${port};
    root ${w}/www;
    client_max_body_size 0;
    location /maven/ {
      dav_methods PUT MKCOL;
      create_full_put_path on;
      auth_basic "maven";
      auth_basic_user_file ${w}/maven.htpasswd;
    }
    location /store/ {
      dav_methods PUT DELETE MKCOL;
      create_full_put_path on;
      dav_ext_methods PROPFIND OPTIONS LOCK UNLOCK;
      dav_ext_lock zone=store;
      limit_except GET HEAD {
        auth_basic "store";
        auth_basic_user_file ${w}/store.htpasswd;
      }
    }
  }
}
"""
def nginx = new ProcessBuilder('/usr/sbin/nginx', '-p', w, '-c', conf.absolutePath, '-g', 'daemon off;')
        .redirectErrorStream(true).redirectOutput(new File(work, 'logs/stdout.log')).start()
// The outer Maven's JVM stops it when the build ends, whatever happened; verify.groovy stops it first.
Runtime.runtime.addShutdownHook(new Thread({ nginx.destroy() }))
def up = false
for (int i = 0; i < 300 && !up; i++) {
    assert nginx.alive : 'nginx exited: ' + new File(work, 'logs/stdout.log').text + new File(work, 'logs/error.log').text
    try {
        new Socket().withCloseable { it.connect(new InetSocketAddress('127.0.0.1', port), 200) }
        up = true
    } catch (IOException notYet) {
        Thread.sleep(50)
    }
}
assert up : 'nginx did not listen on ' + port
new File(work, 'pid').text = nginx.pid().toString()

def base = "http://127.0.0.1:${port}"
def props = new Properties()
props.setProperty('altDeploymentRepository', "team-releases::default::${base}/maven")
props.setProperty('snapshot.repository', "team-releases::default::${base}/maven")
props.setProperty('snapshot.store', "${base}/store/")
new File(basedir, 'test.properties').withWriter('UTF-8') { props.store(it, 'written by setup.groovy') }
new File(basedir, 'release/test.properties').withWriter('UTF-8') { props.store(it, 'written by setup.groovy') }
return true
