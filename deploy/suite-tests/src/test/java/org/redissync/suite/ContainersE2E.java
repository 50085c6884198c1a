package org.redissync.suite;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * The container forms end to end: runs {@code deploy/containers/e2e} (images with podman, the kustomize
 * overlays checked, the three-cluster compose stack with a CRDB switched to TLS, the local overlay under
 * {@code podman kube play}) and requires that it passed and left nothing behind. The script does the checking;
 * this test makes it part of {@code ./mvnw verify} and asserts on what it reports.
 */
@Order(8)
class ContainersE2E {

    @Test
    void theComposeStackAndTheLocalKubernetesOverlayWorkEndToEndAndLeaveNothingBehind() throws Exception {
        SharedSuite.stop(); // the machine to itself: two suites at once only take each other's CPU
        Path repo = Path.of(System.getProperty("suite.repo", "../..")).toAbsolutePath().normalize();
        Path log = Files.createDirectories(Path.of("target").toAbsolutePath()).resolve("containers-e2e.log");
        ProcessBuilder pb = new ProcessBuilder("bash", "deploy/containers/e2e").directory(repo.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        pb.environment().put("REDISSYNC_SKIP_MAVEN", "1"); // the reactor built the jars already
        Process p = pb.start();
        boolean done = p.waitFor(12, TimeUnit.MINUTES);
        if (!done) {
            p.destroy(); // SIGTERM: the script's EXIT trap tears the stack down
            p.waitFor(2, TimeUnit.MINUTES);
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(done).as("deploy/containers/e2e finished within 12 minutes:\n" + output).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
        assertThat(output).contains(
                "a write at cluster-a is read at cluster-b and cluster-c",
                "each bdb's Redis beside its syncer, reachable only with the syncer's credentials",
                "6 channels TLS and in sync",
                "cluster-a -> cluster-b: in-sync, TLSv1.3",
                "all 6 pods ready",
                "kube play: Kafka SASL_SSL only, one user per service",
                "kube play: a CRDB over cluster-a and cluster-b replicates",
                "overlay local:", "overlay production:",
                "nothing left behind",
                "e2e: passed");
    }
}
