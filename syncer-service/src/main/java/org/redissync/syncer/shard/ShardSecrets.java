package org.redissync.syncer.shard;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The shards' passwords: each derived (HMAC-SHA256) from one random secret in the data directory (mode 0600, made on
 * first start), so a restarted syncer-service can log in to the redis-servers it adopts, and no two bdbs share one.
 * Redis's configuration files hold only their SHA-256 ({@code #<hash>} rules); nothing is logged or put on Kafka.
 */
final class ShardSecrets {

    private final byte[] secret;

    private ShardSecrets(byte[] secret) {
        this.secret = secret;
    }

    /** The secret of {@code dataDir} (made when absent). */
    static ShardSecrets in(Path dataDir) {
        Path file = dataDir.resolve("secret");
        try {
            if (!Files.exists(file)) {
                byte[] fresh = new byte[32];
                new SecureRandom().nextBytes(fresh);
                Path tmp = dataDir.resolve("secret.tmp");
                Files.deleteIfExists(tmp);
                Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                Files.write(tmp, Base64.getEncoder().encode(fresh), StandardOpenOption.TRUNCATE_EXISTING);
                try {
                    Files.move(tmp, file); // no replace: a concurrent first start keeps the one that won
                } catch (FileAlreadyExistsException e) {
                    Files.deleteIfExists(tmp);
                }
            }
            return new ShardSecrets(Base64.getDecoder().decode(Files.readString(file, StandardCharsets.US_ASCII).trim()));
        } catch (IOException e) {
            throw new UncheckedIOException("shard secret " + file + ": " + e.getMessage(), e);
        }
    }

    /** The password of {@code user} on bdb {@code uid}'s shard: 64 hex digits. */
    String password(long uid, String user) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(("bdb/" + uid + "/" + user).getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Redis's ACL form of a password: {@code #} and its SHA-256. */
    static String hashed(String password) {
        try {
            return "#" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(password.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
