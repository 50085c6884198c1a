package org.redissync.runtime.suite;

import java.nio.file.Path;

/**
 * Where the local suite keeps things: {@code $SUITE_HOME} (default {@code <repo>/.suite}) holds
 * {@code suite.json} (for scripts and the CLIs), {@code state/} (broker data, redis data, CA),
 * {@code logs/} and {@code run/} (what is running, by PID).
 */
record SuiteLayout(Path repo, Path home) {

    Path suiteJson() {
        return home.resolve("suite.json");
    }

    /** The suite's CA certificate (public), for {@code --cacert}. */
    Path caCert() {
        return home.resolve("ca.pem");
    }

    /** The seed's {@code proxy_cert.pem} of a cluster (its endpoints' certificate chain, CA included). */
    Path proxyCert(String cluster) {
        return home.resolve("clusters").resolve(cluster).resolve("proxy_cert.pem");
    }

    Path state() {
        return home.resolve("state");
    }

    Path logs() {
        return home.resolve("logs");
    }

    Path processes() {
        return home.resolve("run").resolve("processes");
    }

    Path ports() {
        return home.resolve("run").resolve("ports.properties");
    }

    Path serviceJar(String module) {
        return repo.resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
    }

    Path brokerJar() {
        return repo.resolve("kafka-broker/target/kafka-broker.jar");
    }
}
