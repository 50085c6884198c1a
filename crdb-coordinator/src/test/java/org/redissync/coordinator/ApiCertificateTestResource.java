package org.redissync.coordinator;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import org.redissync.identity.PeerIdentity;

/**
 * The API certificate of the service tests, made at run time: a self-signed server certificate naming the API's URN,
 * given to the coordinator as operator files ({@code redissync.api.certificate-file}/{@code key-file}, key 0600).
 * Its path is in {@link #CERTIFICATE_KEY} for tests that connect over HTTPS and trust it.
 */
public class ApiCertificateTestResource implements QuarkusTestResourceLifecycleManager {

    public static final String CERTIFICATE_KEY = "redissync.api.certificate-file";
    public static final String IDENTITY = PeerIdentity.of("control-plane", "api");

    @Override
    public Map<String, String> start() {
        try {
            Path dir = Files.createTempDirectory("coordinator-api-pki");
            TestCerts.WithKey api = TestCerts.server("api.control-plane", IDENTITY);
            Path cert = Files.writeString(dir.resolve("api.pem"), api.certificatePem());
            Path key = Files.createFile(dir.resolve("api.key"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(key, api.keyPem());
            return Map.of(CERTIFICATE_KEY, cert.toString(), "redissync.api.key-file", key.toString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void stop() {
    }
}
