package org.redissync.syncer.endpoint;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import org.redissync.testing.KafkaBrokerTestResource;
import org.redissync.testing.SharedKafka;
import org.redissync.syncer.TestPki;

/**
 * The real broker plus a run-time PKI for the endpoint tests: a cluster CA, this cluster's proxy
 * certificate (files the syncer-service reads), and {@code proxy_cert.pem} as the seed hands it
 * to clients (the chain, CA included).
 */
public class EndpointPkiResource implements QuarkusTestResourceLifecycleManager {

    public static Path dir;
    public static TestPki.Issued clusterCa;
    /** This cluster's syncer certificate (the channels' client identity). */
    public static TestPki.Issued syncer;

    @Override
    public Map<String, String> start() {
        try {
            dir = Files.createDirectories(SharedKafka.workDir().resolve("pki-" + UUID.randomUUID()));
            clusterCa = TestPki.ca("suite CA");
            TestPki.Issued proxy = TestPki.proxy(clusterCa, "cluster-test");
            syncer = TestPki.client(clusterCa, "CN=syncer.cluster-test,OU=cluster-test,O=redis-sync");
            syncer.write(dir, "syncer");
            Files.writeString(dir.resolve("syncer.crt"), TestPki.pem(syncer.cert(), clusterCa.cert()));
            Files.writeString(dir.resolve("ca.pem"), TestPki.pem(clusterCa.cert()));
            proxy.write(dir, "proxy");
            Files.writeString(dir.resolve("proxy.crt"), TestPki.pem(proxy.cert(), clusterCa.cert()));
            Files.writeString(dir.resolve("proxy_cert.pem"), TestPki.pem(proxy.cert(), clusterCa.cert()));
            Map<String, String> config = new HashMap<>(new KafkaBrokerTestResource().start());
            config.put("redissync.certificates.proxy-certificate-file", dir.resolve("proxy.crt").toString());
            config.put("redissync.certificates.proxy-key-file", dir.resolve("proxy.key").toString());
            config.put("redissync.certificates.syncer-certificate-file", dir.resolve("syncer.crt").toString());
            config.put("redissync.certificates.syncer-key-file", dir.resolve("syncer.key").toString());
            config.put("redissync.certificates.ca-file", dir.resolve("ca.pem").toString());
            return config;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void stop() {
    }
}
