// Two snapshots made by hand (as another pipeline's build would), for the store goals to manage.
import dev.warmstart.snapshot.format.SnapshotFormat
import dev.warmstart.snapshot.writer.SnapshotWriter
import java.time.Instant

['v1', 'v2'].eachWithIndex { label, i ->
    def writer = SnapshotWriter.create(new File(basedir, label + '.tar').toPath())
    try {
        writer.addEntry('version.txt', SnapshotFormat.KIND_FILE, label.getBytes('UTF-8'))
        writer.finish(Instant.parse("2026-11-0${i + 1}T00:00:00Z"), 'it', '0', [:])
    } finally {
        writer.close()
    }
}
return true
