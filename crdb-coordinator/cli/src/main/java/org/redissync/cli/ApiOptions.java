package org.redissync.cli;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import picocli.CommandLine.Option;

/**
 * Where the API is and who we are, on every command (else the environment, else the local suite's suite.json). A
 * password is never an argument (the process list shows arguments): {@code --password-file} or
 * {@code REDISSYNC_API_PASSWORD}, as RE's tools take theirs.
 */
final class ApiOptions {

    @Option(names = "--api-url", paramLabel = "<url>", description = "The coordinator's REST API (REDISSYNC_API_URL)")
    String url;
    @Option(names = "--user", paramLabel = "<user>", description = "API user (REDISSYNC_API_USER)")
    String user;
    @Option(names = "--password-file", paramLabel = "<file>", description = "File holding the API password (REDISSYNC_API_PASSWORD_FILE)")
    String passwordFile;
    @Option(names = "--cacert", paramLabel = "<pem>", description = "CA certificate the API's TLS certificate is checked with")
    String cacert;

    /** The API client, made only when a command runs (a wrong command or flag is said before any API is looked for). */
    ApiClient client() {
        Map<String, String> flags = new HashMap<>();
        put(flags, "api-url", url);
        put(flags, "user", user);
        put(flags, "password-file", passwordFile);
        put(flags, "cacert", cacert);
        return new ApiClient(ApiSettings.resolve(flags, System.getenv(), Path.of(System.getProperty("suite.repo", "."))));
    }

    private static void put(Map<String, String> m, String k, String v) {
        if (v != null) {
            m.put(k, v);
        }
    }
}
