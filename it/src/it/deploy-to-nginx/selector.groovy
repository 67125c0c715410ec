// Needs nginx with the WebDAV extension module (.ci/run installs both: apt-get install nginx libnginx-mod-http-dav-ext).
def ok = new File('/usr/sbin/nginx').canExecute() && new File('/usr/lib/nginx/modules/ngx_http_dav_ext_module.so').isFile()
if (!ok) {
    println 'deploy-to-nginx skipped: nginx or libnginx-mod-http-dav-ext is not installed'
}
return ok
