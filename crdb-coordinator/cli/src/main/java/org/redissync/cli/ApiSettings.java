package org.redissync.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Where the API is and who we are: from flags, else {@code REDISSYNC_API_URL}, {@code REDISSYNC_API_USER},
 * {@code REDISSYNC_API_PASSWORD} / {@code REDISSYNC_API_PASSWORD_FILE}, {@code REDISSYNC_API_CACERT}, else the
 * local suite's {@code suite.json} ({@code $SUITE_HOME}, default {@code <repo>/.suite}). The API's identity
 * ({@code REDISSYNC_API_IDENTITY}, or {@code api.identity} of {@code suite.json}: the URN its certificate must name)
 * is checked in the TLS handshake, so the password never reaches another server of the same CA.
 */
record ApiSettings(String url, String user, String password, Optional<Path> caCert, Optional<String> identity) {

    @Override
    public String toString() {
        return "ApiSettings[" + url + ", user=" + user + ", password=[hidden]]";
    }

    static ApiSettings resolve(Map<String, String> flags, Map<String, String> env, Path repo) {
        JsonNode suite = suiteJson(env, repo);
        String url = first(flags.get("api-url"), env.get("REDISSYNC_API_URL"), suite == null ? null : text(suite.at("/api/url")));
        if (url == null) {
            throw new CliException("no API to talk to: pass --api-url, set REDISSYNC_API_URL, or start the local suite "
                    + "(deploy/local/suite up)");
        }
        String user = first(flags.get("user"), env.get("REDISSYNC_API_USER"), suite == null ? null : text(suite.at("/api/user")));
        String password = first(flags.get("password"), env.get("REDISSYNC_API_PASSWORD"), null);
        String passwordFile = first(flags.get("password-file"), env.get("REDISSYNC_API_PASSWORD_FILE"),
                suite == null ? null : text(suite.at("/api/password_file")));
        if (password == null && passwordFile != null) {
            try {
                password = Files.readString(Path.of(passwordFile)).trim();
            } catch (IOException e) {
                throw new CliException("cannot read the password file " + passwordFile + ": " + e.getMessage());
            }
        }
        if (user == null || password == null) {
            throw new CliException("no credentials: pass --user and --password-file, or set REDISSYNC_API_USER and "
                    + "REDISSYNC_API_PASSWORD(_FILE)");
        }
        String ca = first(flags.get("cacert"), env.get("REDISSYNC_API_CACERT"), suite == null ? null : text(suite.get("ca_cert")));
        String identity = first(env.get("REDISSYNC_API_IDENTITY"), suite == null ? null : text(suite.at("/api/identity")));
        return new ApiSettings(url.replaceAll("/+$", ""), user, password, Optional.ofNullable(ca).map(Path::of),
                Optional.ofNullable(identity));
    }

    private static JsonNode suiteJson(Map<String, String> env, Path repo) {
        String home = env.get("SUITE_HOME");
        Path file = (home != null && !home.isBlank() ? Path.of(home) : repo.resolve(".suite")).resolve("suite.json");
        if (!Files.exists(file)) {
            return null;
        }
        try {
            return new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new CliException("cannot read " + file + ": " + e.getMessage());
        }
    }

    private static String text(JsonNode n) {
        return n == null || n.isMissingNode() || n.isNull() ? null : n.asText();
    }

    private static String first(String... values) {
        for (String v : values) {
            if (v != null && !v.isBlank()) {
                return v;
            }
        }
        return null;
    }
}
