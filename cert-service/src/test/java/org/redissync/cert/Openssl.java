package org.redissync.cert;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the openssl command line, as an operator would. */
public final class Openssl {

    private Openssl() {
    }

    public record Result(int exitCode, String output) {
    }

    public static Result run(Path dir, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add("openssl");
        cmd.addAll(List.of(args));
        try {
            Path out = Files.createTempFile(dir, "openssl", ".out");
            Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("openssl " + String.join(" ", args)).isTrue();
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    public static String ok(Path dir, String... args) {
        Result r = run(dir, args);
        assertThat(r.exitCode()).as("openssl " + String.join(" ", args) + ":\n" + r.output()).isZero();
        return r.output();
    }
}
