package dev.warmstart.snapshot.cli;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * One pipeline of {@link ConcurrentPromotersTest}, run in its own JVM: waits for a line on standard input (so two
 * start at the same moment), then runs {@code store promote URL ID --canary NAME --percent i} for i = 1..COUNT
 * through the command line, printing one line per run: {@code result <i> <exit status> <first line of stderr>}.
 */
public final class PromoterProcess {
    private PromoterProcess() {}

    public static void main(String[] args) throws Exception {
        String url = args[0];
        String id = args[1];
        String name = args[2];
        int count = Integer.parseInt(args[3]);
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        CliRun cli = new CliRun();
        for (int i = 1; i <= count; i++) {
            int status = cli.run(
                    "store", "promote", url, id, "--canary", name, "--percent", Integer.toString(i), "--no-guard");
            String err = cli.stderr().strip();
            int nl = err.indexOf('\n');
            System.out.println("result " + i + " " + status + " " + (nl < 0 ? err : err.substring(0, nl)));
            System.out.flush();
        }
    }
}
