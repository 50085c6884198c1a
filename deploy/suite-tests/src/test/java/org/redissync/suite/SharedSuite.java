package org.redissync.suite;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The one suite the test classes marked {@code @ExtendWith(SharedSuite.class)} share: three clusters, started by the
 * first of them, stopped by the last ({@link WalkthroughIT}: the walkthrough's own {@code down}), or when every test of
 * the run has ended, or by {@link #stop()} for a class that needs the machine to itself. A suite start costs ~35 s and
 * ~50 CPU-seconds on this machine's two cores; one per class was a fifth of CI's time.
 *
 * <p>What sharing asks of a class: it runs in the place {@code junit-platform.properties} gives it (classes ordered by
 * {@code @Order}), checks only what it made (its own CRDBs and bdbs, found by name or uid, never "the first" or "all"),
 * and gives back what it changed for everyone: a cluster certificate it replaced is rotated back to one of the suite's
 * CA ({@link #restoreCaCertificates}), cluster-wide TLS settings are set back. The CRDBs and bdbs a class made are
 * deleted after it, here (what existed before it is kept): the next class's suite does not carry their Redis
 * processes and channels. A class may still stop and start the suite itself (CliIT restarts everything): the same
 * home, the same settings.
 */
final class SharedSuite implements BeforeAllCallback, AfterAllCallback {

    static final int CLUSTERS = 3;
    /** Tasks fail after 20 s: long enough for an update after a frozen syncer-service thaws, short for one that times out. */
    static final Map<String, String> ENV = Map.of("SUITE_TASK_TIMEOUT", "PT20S");

    private static SuiteProcess suite;
    private static SuiteProcess.Result up;

    @Override
    public void beforeAll(ExtensionContext context) {
        // closed (AutoCloseable) when the whole run's root context ends: after the last test class
        context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL).computeIfAbsent(SharedSuite.class,
                k -> (AutoCloseable) SharedSuite::stop, AutoCloseable.class);
        context.getStore(NAMESPACE).put(Inventory.class, Inventory.of(suite()));
    }

    @Override
    public void afterAll(ExtensionContext context) {
        Inventory before = context.getStore(NAMESPACE).get(Inventory.class, Inventory.class);
        SuiteProcess s;
        synchronized (SharedSuite.class) {
            s = suite;
        }
        if (s == null || before == null) {
            return; // the class stopped the suite (WalkthroughIT): nothing left to give back
        }
        for (String guid : Inventory.of(s).crdbs()) {
            if (!before.crdbs().contains(guid)) {
                deleteCrdb(s, guid);
            }
        }
        for (long uid : Inventory.of(s).bdbs()) { // listed again: a deleted CRDB took its instances with it
            if (!before.bdbs().contains(uid)) {
                s.api("DELETE", "/v1/bdbs/" + uid, null);
            }
        }
    }

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(SharedSuite.class);

    /** The CRDBs (guids) and bdbs (uids) a suite has. */
    record Inventory(java.util.Set<String> crdbs, java.util.Set<Long> bdbs) {
        static Inventory of(SuiteProcess s) {
            java.util.Set<String> crdbs = new java.util.LinkedHashSet<>();
            s.api("GET", "/v1/crdbs", null).forEach(c -> crdbs.add(c.get("guid").asText()));
            java.util.Set<Long> bdbs = new java.util.LinkedHashSet<>();
            for (JsonNode b : s.api("GET", "/v1/bdbs", null)) {
                bdbs.add(b.get("uid").asLong());
            }
            return new Inventory(crdbs, bdbs);
        }
    }

    /** The shared suite, up (started now if it is not running). */
    static synchronized SuiteProcess suite() {
        if (suite == null) {
            SuiteProcess s = new SuiteProcess(Path.of("target", "shared-suite-home").toAbsolutePath(), ENV);
            s.run("down", "--fresh");
            SuiteProcess.Result result = s.run("up", "--clusters", Integer.toString(CLUSTERS));
            if (result.exitCode() != 0) {
                s.run("down");
                throw new AssertionError("suite up failed:\n" + result.output());
            }
            suite = s;
            up = result;
        }
        return suite;
    }

    /** What {@code deploy/local/suite up} printed when the shared suite started. */
    static synchronized SuiteProcess.Result upOutput() {
        suite();
        return up;
    }

    /** Stops the shared suite if it runs (a later {@link #suite()} starts a new one in a fresh home). */
    static synchronized void stop() {
        if (suite != null) {
            suite.run("down");
            suite = null;
            up = null;
        }
    }

    /** The suite was stopped by a test itself ({@code down}): the next {@link #suite()} starts a new one. */
    static synchronized void stoppedByTest() {
        suite = null;
        up = null;
    }

    /** Deletes a CRDB (its instances' bdbs and Redis processes go with it), waiting for the task. */
    static void deleteCrdb(SuiteProcess s, String guid) {
        if (s != null && guid != null) {
            SuiteProcess.Result deleted = s.crdbCli("crdb", "delete", "--crdb-guid", guid);
            assertThat(deleted.exitCode()).as(deleted.output()).isZero();
        }
    }

    /**
     * Rotates {@code cluster}'s proxy and syncer certificates (an operator-supplied one is replaced by one of the
     * suite's CA) and waits until both are the CA's: what a class that set an operator's certificate gives back.
     */
    static void restoreCaCertificates(SuiteProcess s, String cluster) throws Exception {
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        String caPem = java.nio.file.Files.readString(Path.of(s.description().get("ca_cert").asText()));
        X509Certificate ca = (X509Certificate) cf.generateCertificate(new ByteArrayInputStream(caPem.getBytes(StandardCharsets.US_ASCII)));
        s.api("POST", "/v1/cluster/certificates/rotate?cluster=" + cluster, "{}");
        Awaitility.await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            var certs = s.api("GET", "/v1/cluster/certificates?cluster=" + cluster, null);
            for (String role : List.of("proxy_cert", "syncer_cert")) {
                X509Certificate leaf = (X509Certificate) cf.generateCertificate(new ByteArrayInputStream(
                        certs.get(role).asText().getBytes(StandardCharsets.US_ASCII)));
                assertThat(leaf.getIssuerX500Principal()).as(cluster + " " + role).isEqualTo(ca.getSubjectX500Principal());
                leaf.verify(ca.getPublicKey());
            }
        });
    }
}
