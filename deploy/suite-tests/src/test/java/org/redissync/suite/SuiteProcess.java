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

    Result crdbCli(String... args) {
        return tool("crdb-coordinator/cli/bin/crdb-cli", args);
    }

    Result rladmin(String... args) {
        return tool("crdb-coordinator/cli/bin/rladmin", args);
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

    /** One call to the suite's REST API as admin (URL, CA and password from its suite.json); asserts HTTP 200. */
    com.fasterxml.jackson.databind.JsonNode api(String method, String path, String body) {
        try {
            var json = new com.fasterxml.jackson.databind.ObjectMapper();
            var s = json.readTree(home.resolve("suite.json").toFile());
            String password = Files.readString(Path.of(s.at("/api/password_file").asText())).trim();
            var https = java.net.http.HttpClient.newBuilder().sslContext(LocalSuiteIT.trusting(Path.of(s.get("ca_cert").asText()))).build();
            var r = https.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(s.at("/api/url").asText() + path))
                    .header("Authorization", "Basic " + java.util.Base64.getEncoder()
                            .encodeToString(("admin:" + password).getBytes(StandardCharsets.UTF_8)))
                    .header("Content-Type", "application/json")
                    .timeout(java.time.Duration.ofSeconds(60))
                    .method(method, body == null ? java.net.http.HttpRequest.BodyPublishers.noBody()
                            : java.net.http.HttpRequest.BodyPublishers.ofString(body))
                    .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new AssertionError(method + " " + path + ": HTTP " + r.statusCode() + " " + r.body());
            }
            return json.readTree(r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** The suite's description (suite.json). */
    /** CRDB {@code guid}'s instances: cluster name → the instance's endpoint port. */
    java.util.Map<String, Integer> instancePorts(String guid) {
        java.util.Map<String, Integer> ports = new java.util.LinkedHashMap<>();
        for (com.fasterxml.jackson.databind.JsonNode i : api("GET", "/v1/crdbs/" + guid, null).get("instances")) {
            com.fasterxml.jackson.databind.JsonNode bdb = api("GET", "/v1/bdbs/" + i.get("db_uid").asLong(), null);
            ports.put(i.at("/cluster/name").asText(i.path("cluster").asText()), bdb.at("/endpoints/0/port").asInt());
        }
        return ports;
    }

    com.fasterxml.jackson.databind.JsonNode description() {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(home.resolve("suite.json").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The PID of a recorded process by name (e.g. {@code syncer-service-cluster-b}). */
    long pid(String name) throws IOException {
        return Files.readAllLines(home.resolve("run/processes")).stream().map(l -> l.split(" ")).filter(a -> a[0].equals(name))
                .map(a -> Long.parseLong(a[1])).findFirst().orElseThrow(() -> new AssertionError("no process " + name));
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
