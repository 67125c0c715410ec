// Recipe 3 of docs/cold-start.md, run as a user copies it: Spring Boot's own class-data support for the
// application built above — extract the jar, one training run that ends at refresh (-Dspring.context.exit=onRefresh),
// then the service started with the archive. Java 17 (the JDK running this build) writes a CDS archive; the
// Temurin 25 beside it, when present, writes the AOT cache. Checked: the archive is used (-Xshare:on /
// -XX:AOTMode=on refuse to start without it), the loader's classes come from it, and the service answers.
import java.util.concurrent.TimeUnit

def jar = new File(basedir, 'target/spring-boot-app-1.0.jar')
def location = "--warmstart.snapshot.location=${new File(basedir, 'store').absolutePath}"

def run = { List cmd, File dir, String name ->
    def log = new File(basedir, name + '.log')
    def p = new ProcessBuilder(cmd.collect { it.toString() }).directory(dir).redirectErrorStream(true)
            .redirectOutput(log).start()
    assert p.waitFor(300, TimeUnit.SECONDS) : "${name} did not finish: " + log.text
    assert p.exitValue() == 0 : "${name} failed: " + log.text
    log
}

def recipe = { String javaHome, String name, List train, List serve ->
    def java = new File(javaHome, 'bin/java').path
    def dir = new File(basedir, name)
    run([java, '-Djarmode=tools', '-jar', jar.path, 'extract', '--destination', dir.path], basedir, name + '-extract')
    def app = jar.name
    run([java] + train + ['-Dspring.context.exit=onRefresh', '-jar', app, location,
            '--server.address=127.0.0.1', '--server.port=0'], dir, name + '-training')

    def log = new File(basedir, name + '-service.log')
    def classes = new File(dir, 'class-load.log')
    def p = new ProcessBuilder([java] + serve + ["-Xlog:class+load=info:file=${classes.path}", '-jar', app, location,
            '--server.address=127.0.0.1', '--server.port=0'].collect { it.toString() })
            .directory(dir).redirectErrorStream(true).redirectOutput(log).start()
    try {
        def port = tomcatPort(p, log, "${name}: the service with its archive")
        def c = new URL("http://127.0.0.1:${port}/answer?question=cds").openConnection()
        assert c.responseCode == 200 && c.inputStream.text.contains(': cds')
        // The loader's reading classes came from the archive, not from the jar.
        ['Snapshot', 'Config', 'PromptTemplate'].each { cls ->
            def line = classes.readLines().find { it.contains(" dev.warmstart.snapshot.loader.${cls} ") }
            assert line != null : "${name}: ${cls} was not loaded"
            assert line.contains('source: shared objects file') : "${name}: ${cls} not from the archive: ${line}"
        }
    } finally {
        p.destroy()
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly()
        }
    }
}

recipe(System.getProperty('java.home'), 'cds-java17',
        ['-XX:ArchiveClassesAtExit=application.jsa'],
        ['-Xshare:on', '-XX:SharedArchiveFile=application.jsa'])
def jdk25 = new File('/usr/lib/jvm/temurin-25-jdk-amd64')
if (new File(jdk25, 'bin/java').canExecute()) {
    recipe(jdk25.path, 'aot-java25', ['-XX:AOTCacheOutput=app.aot'], ['-XX:AOTMode=on', '-XX:AOTCache=app.aot'])
} else {
    println "No JDK 25 at ${jdk25}: the AOT-cache half of the Spring Boot recipe was not run"
}
