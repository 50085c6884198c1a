package org.redissync.suite;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs {@code deploy/local/suite} the way a user does, with its own {@code SUITE_HOME}. */
final class SuiteProcess {

    record Result(int exitCode, String output) {
    }

    final Path repo;
    final Path home;
    final java.util.Map<String, String> env;

    SuiteProcess(Path home) {
        this(home, java.util.Map.of());
    }

    SuiteProcess(Path home, java.util.Map<String, String> env) {
        this.repo = Path.of(System.getProperty("suite.repo", "../..")).toAbsolutePath().normalize();
        this.home = home;
        this.env = env;
    }

    Result run(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(repo.resolve("deploy/local/suite").toString());
        cmd.addAll(List.of(args));
        return exec(cmd);
    }

    /** Runs one of the repository's executables (e.g. crdb-coordinator/cli/bin/crdb-cli) against this suite. */
    Result tool(String relativePath, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(repo.resolve(relativePath).toString());
        cmd.addAll(List.of(args));
        return exec(cmd);
    }

    private Result exec(List<String> cmd) {
        try {
            Path out = Files.createTempFile("suite", ".out");
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(repo.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(out.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
            pb.environment().put("SUITE_HOME", home.toString());
            pb.environment().putAll(env);
            Process p = pb.start();
            if (!p.waitFor(5, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", cmd) + " did not finish in 5 minutes");
            }
            String output = Files.readString(out, StandardCharsets.UTF_8);
            Files.delete(out);
            return new Result(p.exitValue(), output);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** PIDs the suite recorded as started. */
    List<Long> recordedPids() throws IOException {
        Path f = home.resolve("run/processes");
        if (!Files.exists(f)) {
            return List.of();
        }
        return Files.readAllLines(f).stream().filter(l -> !l.isBlank()).map(l -> Long.parseLong(l.split(" ")[1])).toList();
    }
}
