package org.redissync.runtime.suite;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.Properties;

/**
 * The local suite's generated secrets, kept owner-only in {@code state/secrets}: passwords and the admin
 * token are made once and reused by every {@code up}; bootstrap tokens are new at every {@code up} (short-lived:
 * the services keep their certificates and renew over mutual TLS, so none needs its token again).
 */
final class SuiteSecrets {

    private final Path dir;
    private final SecureRandom random = new SecureRandom();

    SuiteSecrets(Path dir) {
        this.dir = dir;
    }

    private final Map<String, String> tokens = new java.util.concurrent.ConcurrentHashMap<>();

    /** The bootstrap token of {@code cluster}'s certificate requests: a new one for this {@code up}, the same within it. */
    String token(String cluster) {
        return tokens.computeIfAbsent(cluster, c -> {
            try {
                Files.deleteIfExists(dir.resolve("token-" + c));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return secret("token-" + c);
        });
    }

    /** The file that holds secret {@code name} (made if missing). */
    Path file(String name) {
        secret(name);
        return dir.resolve(name);
    }

    String secret(String name) {
        Path file = dir.resolve(name);
        try {
            if (Files.exists(file)) {
                return Files.readString(file).trim();
            }
            byte[] b = new byte[24];
            random.nextBytes(b);
            String value = Base64.getUrlEncoder().withoutPadding().encodeToString(b);
            write(file, value.getBytes(StandardCharsets.US_ASCII));
            return value;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes a properties file readable by its owner only. */
    static void writeProperties(Path file, Map<String, String> values) {
        Properties p = new Properties();
        p.putAll(values);
        try {
            java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
            p.store(buf, "written by deploy/local/suite at every up; edit the suite, not this file");
            write(file, buf.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(Path file, byte[] content) throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = Files.createTempFile(file.getParent(), ".secret", ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try (OutputStream out = Files.newOutputStream(tmp)) {
            out.write(content);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
