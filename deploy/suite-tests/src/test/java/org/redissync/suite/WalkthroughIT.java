package org.redissync.suite;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs every {@code sh} block of {@code docs/walkthrough.md}, in order, as one bash script with
 * {@code set -euo pipefail}: the page is the test. Its first block is {@code deploy/local/suite up}: run last on the
 * shared suite, it finds the suite running and starts nothing (what a real start prints is checked by LocalSuiteIT);
 * its last block stops the suite: afterwards no process the suite started (the services, every bdb's redis-server,
 * those of the classes before it too) may be alive.
 */
@ExtendWith(SharedSuite.class)
@Order(7)
class WalkthroughIT {

    static List<String> blocks(String markdown) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("(?ms)^```sh\\n(.*?)^```").matcher(markdown);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    @Test
    void theWalkthroughRunsAsWrittenAndLeavesNothingRunning() throws Exception {
        SuiteProcess suite = SharedSuite.suite();
        Path home = suite.home;
        String page = Files.readString(suite.repo.resolve("docs/walkthrough.md"), StandardCharsets.UTF_8);
        List<String> blocks = blocks(page);
        assertThat(blocks).hasSizeGreaterThan(10);
        assertThat(blocks.get(0)).contains("deploy/local/suite up");
        assertThat(blocks.get(blocks.size() - 1)).contains("deploy/local/suite down");

        StringBuilder script = new StringBuilder("set -euo pipefail\n");
        for (int i = 0; i < blocks.size(); i++) {
            if (i == blocks.size() - 1) {
                // the harness keeps the list of what the suite started, to check after `down`
                script.append("cp \"$SUITE_HOME/run/processes\" \"$SUITE_HOME/started-processes\"\n");
                // and the bdbs' redis-servers their syncer-services started
                script.append("for f in \"$SUITE_HOME\"/state/redis/*/bdb-*/redis.pid; do echo \"redis $(cat \"$f\") -\"; done"
                        + " >> \"$SUITE_HOME/started-processes\"\n");
            }
            script.append("echo '>>> walkthrough block ").append(i + 1).append("'\n").append(blocks.get(i));
        }
        Path file = Files.writeString(Files.createDirectories(home).resolve("walkthrough.sh"), script);
        Path log = home.resolve("walkthrough.log");
        ProcessBuilder pb = new ProcessBuilder("bash", file.toString()).directory(suite.repo.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        pb.environment().put("SUITE_HOME", home.toString());
        pb.environment().putAll(suite.env);
        Process p = pb.start();
        boolean done = p.waitFor(8, TimeUnit.MINUTES);
        if (!done) {
            p.destroyForcibly();
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        try {
            assertThat(done).as("the walkthrough finished in 8 minutes:\n" + output).isTrue();
            assertThat(p.exitValue()).as(output).isZero();
            assertThat(output).contains("hello from cluster-a", "cluster-a -> cluster-b: in-sync, TLSv1.3", "PONG",
                    "Finished successfully", "\"status\":\"in-sync\"");
            List<String> started = Files.readAllLines(home.resolve("started-processes"));
            // broker, cert-service, coordinator, 3 syncers, and a redis-server per bdb (app, cache, 3 CRDB instances at least)
            assertThat(started).hasSizeGreaterThanOrEqualTo(11);
            assertThat(started.stream().filter(l -> l.startsWith("redis ")).count()).isGreaterThanOrEqualTo(5);
            for (String line : started) {
                long pid = Long.parseLong(line.split(" ")[1]);
                assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as(line + " after down").isFalse();
            }
        } finally {
            suite.run("down");
            SharedSuite.stoppedByTest();
        }
    }
}
