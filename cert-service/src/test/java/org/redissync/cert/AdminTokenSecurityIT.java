package org.redissync.cert;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.redissync.testing.FreePorts;
import org.redissync.testing.SharedKafka;

/** The packaged cert-service does not start without an admin credential, or with a guessable one. */
class AdminTokenSecurityIT {

    record Exit(int code, String output) {
    }

    static Exit run(String... props) throws Exception {
        Path jar = Path.of(System.getProperty("cert-service.jar", "target/quarkus-app/quarkus-run.jar")).toAbsolutePath();
        assertThat(jar).as("the packaged cert-service (failsafe runs after package)").exists();
        Path dir = Files.createTempDirectory(SharedKafka.workDir(), "cert-admin-");
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-Xmx128m",
                "-XX:TieredStopAtLevel=1", "-Dquarkus.http.port=" + FreePorts.next(), "-Dquarkus.http.host=127.0.0.1",
                "-Dquarkus.management.port=" + FreePorts.next(), "-Dquarkus.management.host=127.0.0.1",
                "-Dredissync.tls.port=" + FreePorts.next(), "-Dredissync.state-dir=" + dir.resolve("state"),
                "-Dkafka.bootstrap.servers=127.0.0.1:" + FreePorts.next()));
        for (String p : props) {
            cmd.add("-D" + p);
        }
        cmd.addAll(List.of("-jar", jar.toString()));
        Path out = dir.resolve("out.log");
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            return new Exit(Integer.MIN_VALUE, "still running after 60 s: " + Files.readString(out));
        }
        return new Exit(p.exitValue(), Files.readString(out));
    }

    @Test
    void withoutAnAdminTokenItDoesNotStartAndSaysWhy() throws Exception {
        Exit e = run();
        assertThat(e.code()).as(e.output()).isNotZero().isNotEqualTo(Integer.MIN_VALUE);
        assertThat(e.output()).contains("redissync.admin-token");
    }

    @Test
    void aShortAdminTokenIsRefusedTooAndNotEchoed() throws Exception {
        Exit e = run("redissync.admin-token=letmein");
        assertThat(e.code()).as(e.output()).isNotZero().isNotEqualTo(Integer.MIN_VALUE);
        assertThat(e.output()).contains("redissync.admin-token").contains("at least 16 characters").doesNotContain("letmein");
    }

    @Test
    void aClusterRoleThatIsNoRoleStopsTheStartAndIsNamed() throws Exception {
        Exit e = run("redissync.admin-token=an-admin-token-of-enough-length", "redissync.clusters.cluster-x.token=t",
                "redissync.clusters.cluster-x.roles=proxy,apii");
        assertThat(e.code()).as(e.output()).isNotZero().isNotEqualTo(Integer.MIN_VALUE);
        assertThat(e.output()).contains("redissync.clusters.cluster-x.roles: 'apii' is not a role");
    }

    @Test
    void aTokenExpiryThatIsNoInstantStopsTheStartAndIsNamed() throws Exception {
        Exit e = run("redissync.admin-token=an-admin-token-of-enough-length", "redissync.clusters.cluster-x.token=t",
                "redissync.clusters.cluster-x.token-expires-at=tomorrow");
        assertThat(e.code()).as(e.output()).isNotZero().isNotEqualTo(Integer.MIN_VALUE);
        assertThat(e.output()).contains("redissync.clusters.cluster-x.token-expires-at: 'tomorrow' is not an ISO-8601 instant");
    }

    @Test
    void aNameTwoClustersWouldShareOrCertServicesOwnStopsTheStartAndIsNamed() throws Exception {
        Exit shared = run("redissync.admin-token=an-admin-token-of-enough-length", "redissync.clusters.cluster-x.token=t",
                "redissync.clusters.cluster-x.names=syncer-x,localhost", "redissync.clusters.cluster-y.token=u",
                "redissync.clusters.cluster-y.names=syncer-x,127.0.0.1");
        assertThat(shared.code()).as(shared.output()).isNotZero().isNotEqualTo(Integer.MIN_VALUE);
        assertThat(shared.output()).contains("redissync.clusters.cluster-y.names: 'syncer-x' is also cluster cluster-x's name");
        Exit own = run("redissync.admin-token=an-admin-token-of-enough-length", "redissync.tls.names=cert-service,localhost",
                "redissync.clusters.cluster-x.token=t", "redissync.clusters.cluster-x.names=cert-service");
        assertThat(own.code()).as(own.output()).isNotZero().isNotEqualTo(Integer.MIN_VALUE);
        assertThat(own.output()).contains("'cert-service' is also cert-service (redissync.tls.names)'s name");
    }

    @Test
    void logsAreJsonWhenConfiguredSoAndTheRefusalIsStillNamed() throws Exception {
        // a refusal at start, after logging is set up (configuration errors found before it are printed as text)
        Exit e = run("quarkus.log.console.json.enabled=true", "redissync.admin-token=an-admin-token-of-enough-length",
                "redissync.clusters.cluster-x.token=t", "redissync.clusters.cluster-x.token-expires-at=tomorrow");
        assertThat(e.code()).as(e.output()).isNotZero().isNotEqualTo(Integer.MIN_VALUE);
        assertThat(e.output()).contains("\"loggerName\"", "\"level\":\"ERROR\"").contains("token-expires-at: 'tomorrow'");
        assertThat(e.output().lines().filter(l -> l.startsWith("{")).count()).as(e.output()).isGreaterThan(0);
    }
}
