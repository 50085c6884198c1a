package org.redissync.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** {@code crdb-cli}: Redis Enterprise's syntax and output, against the coordinator's REST API. */
final class CrdbCli {

    static final Set<String> SWITCHES = Set.of("wait", "no-wait", "force", "help", "verbose", "no-verbose");
    static final String API_USAGE = "API: --api-url, --user, --password-file, --cacert, or REDISSYNC_API_*, or the local suite's suite.json";
    /** Each command's usage, as {@code --help} after it prints it. */
    static final Map<String, String> USAGES = new java.util.LinkedHashMap<>();

    static {
        USAGES.put("crdb create", "crdb-cli crdb create --name <name> --memory-size <size> --instance fqdn=<cluster>[,username=..,"
                + "password=..,url=..,replication_endpoint=..,replication_tls_sni=..] ... [--port N] [--encryption true|false] "
                + "[--default-db-config JSON | --default-db-config-file F] [--wait | --no-wait]");
        USAGES.put("crdb update", "crdb-cli crdb update --crdb-guid <guid> [--encryption true|false] [--force] "
                + "[--default-db-config JSON | --default-db-config-file F] [--wait | --no-wait]");
        USAGES.put("crdb add-instance", "crdb-cli crdb add-instance --crdb-guid <guid> --instance fqdn=<cluster>[,username=..,password=..,"
                + "url=..,replication_endpoint=..,replication_tls_sni=..] [--compression 0-6] [--wait | --no-wait]");
        USAGES.put("crdb remove-instance", "crdb-cli crdb remove-instance --crdb-guid <guid> --instance-id <id> [--force] [--wait | --no-wait]");
        USAGES.put("crdb list", "crdb-cli crdb list");
        USAGES.put("crdb get", "crdb-cli crdb get --crdb-guid <guid>");
        USAGES.put("crdb delete", "crdb-cli crdb delete --crdb-guid <guid> [--wait | --no-wait]");
        USAGES.put("task status", "crdb-cli task status --task-id <id> [--verbose | --no-verbose]");
        USAGES.put("task list", "crdb-cli task list");
        USAGES.put("task cancel", "crdb-cli task cancel --task-id <id>");
    }

    static final String USAGE = "usage: " + String.join("\n       ", USAGES.values()) + "\n" + API_USAGE;


    private final Args args;
    private final ApiClient api;
    private final PrintStream out;

    CrdbCli(Args args, ApiClient api, PrintStream out) {
        this.args = args;
        this.api = api;
        this.out = out;
    }

    /** The flags each command takes (besides the API's and --help): anything else is refused by name, with usage. */
    static final Map<String, Set<String>> FLAGS = Map.ofEntries(
            Map.entry("crdb create", Set.of("name", "memory-size", "instance", "port", "encryption", "default-db-config", "default-db-config-file",
                    "wait", "no-wait", "task-id")),
            Map.entry("crdb update", Set.of("crdb-guid", "encryption", "force", "default-db-config", "default-db-config-file", "wait", "no-wait", "task-id")),
            Map.entry("crdb add-instance", Set.of("crdb-guid", "instance", "compression", "wait", "no-wait", "task-id")),
            Map.entry("crdb remove-instance", Set.of("crdb-guid", "instance-id", "force", "wait", "no-wait", "task-id")),
            Map.entry("crdb list", Set.of()),
            Map.entry("crdb get", Set.of("crdb-guid")),
            Map.entry("crdb delete", Set.of("crdb-guid", "wait", "no-wait", "task-id")),
            Map.entry("task status", Set.of("task-id", "verbose", "no-verbose")),
            Map.entry("task list", Set.of()),
            Map.entry("task cancel", Set.of("task-id")));
    /** Flags Redis Enterprise's crdb-cli has that this suite does not: refused by name, never ignored. */
    static final Set<String> RE_ONLY = Set.of("replication", "persistence", "causal-consistency", "password-crdb", "sharding",
            "shards-count", "shard-key-regex", "oss-cluster", "oss-sharding", "bigstore", "bigstore-ram-size", "with-module",
            "compression", "eviction-policy", "proxy-policy", "featureset-version");
    static final Set<String> API_FLAGS = Set.of("api-url", "user", "password", "password-file", "cacert", "help");

    /** The usage of {@code cmd} ("crdb create"), or of every command. */
    static String usage(String cmd) {
        return cmd == null || !USAGES.containsKey(cmd) ? USAGE : "usage: " + USAGES.get(cmd) + "\n" + API_USAGE;
    }

    /** The command's words, or null; every flag checked against it first. */
    static String command(Args args) {
        List<String> w = args.words;
        String cmd = w.size() >= 2 ? w.get(0) + " " + w.get(1) : String.join(" ", w);
        Set<String> allowed = FLAGS.get(cmd);
        if (allowed == null) {
            return null;
        }
        if (w.size() > 2) {
            throw new CliException("crdb-cli " + cmd + ": unexpected argument '" + w.get(2) + "'\n" + usage(cmd), 2);
        }
        for (String flag : args.options.keySet()) {
            if (!allowed.contains(flag) && !API_FLAGS.contains(flag)) {
                throw new CliException("crdb-cli " + cmd + ": --" + flag + (RE_ONLY.contains(flag) ? " is not supported by this suite"
                        : " is not a flag of this command") + "\n" + usage(cmd), 2);
            }
        }
        return cmd;
    }

    int run() {
        String cmd = command(args);
        if (cmd == null) {
            throw new CliException(USAGE, 2);
        }
        return switch (cmd) {
            case "crdb create" -> create();
            case "crdb update" -> update();
            case "crdb add-instance" -> addInstance();
            case "crdb remove-instance" -> removeInstance();
            case "crdb list" -> list();
            case "crdb get" -> text(ReText.crdbGet(api.get("/v1/crdbs/" + args.require("crdb-guid"))));
            case "crdb delete" -> waitFor(api.send("DELETE", "/v1/crdbs/" + args.require("crdb-guid"), null, args.get("task-id")));
            case "task status" -> args.has("verbose") && args.has("no-verbose")
                    ? usageError("--verbose and --no-verbose exclude each other", "task status")
                    : text(ReText.taskStatus(api.get("/v1/crdb_tasks/" + args.require("task-id")), args.has("verbose")));
            case "task list" -> text(ReText.taskList(api.get("/v1/crdb_tasks")));
            case "task cancel" -> print(api.send("POST", "/v1/crdb_tasks/" + args.require("task-id") + "/actions/cancel", null, null));
            default -> throw new CliException(USAGE, 2);
        };
    }

    private int create() {
        ObjectNode body = ApiClient.JSON.createObjectNode();
        String name = args.require("name");
        body.put("name", name);
        ObjectNode db = defaultDbConfig();
        db.put("name", name);
        if (args.has("memory-size")) {
            db.put("memory_size", Args.size(args.get("memory-size")));
        }
        if (args.has("port")) {
            db.put("port", Integer.parseInt(args.get("port")));
        }
        body.set("default_db_config", db);
        if (args.has("encryption")) {
            body.put("encryption", Args.bool("encryption", args.get("encryption")));
        }
        List<String> instances = args.all("instance");
        if (instances.isEmpty()) {
            throw new CliException("at least one --instance fqdn=<cluster>,... is required", 2);
        }
        instances(instances, body.putArray("instances"), null);
        return waitFor(api.send("POST", "/v1/crdbs", body, args.get("task-id")));
    }

    /** RE's {@code --instance fqdn=..,username=..,password=..[,url=..,replication_endpoint=..,replication_tls_sni=..]}, each. */
    private static void instances(List<String> instances, com.fasterxml.jackson.databind.node.ArrayNode arr, Integer compression) {
        for (String spec : instances) {
            Map<String, String> kv = new LinkedHashMap<>();
            for (String part : spec.split(",")) {
                int eq = part.indexOf('=');
                if (eq < 1) {
                    throw new CliException("--instance: key=value pairs expected, got '" + part + "'", 2);
                }
                kv.put(part.substring(0, eq).trim(), part.substring(eq + 1).trim());
            }
            String cluster = kv.getOrDefault("fqdn", kv.get("name"));
            if (cluster == null) {
                throw new CliException("--instance needs fqdn=<cluster>", 2);
            }
            ObjectNode c = arr.addObject().putObject("cluster");
            c.put("name", cluster);
            if (kv.containsKey("url")) {
                c.put("url", kv.get("url"));
            }
            if (kv.containsKey("username")) {
                c.putObject("credentials").put("username", kv.get("username")).put("password", kv.getOrDefault("password", ""));
            }
            if (kv.containsKey("replication_endpoint")) {
                c.put("replication_endpoint", kv.get("replication_endpoint"));
            }
            if (kv.containsKey("replication_tls_sni")) {
                c.put("replication_tls_sni", kv.get("replication_tls_sni"));
            }
            kv.keySet().removeAll(Set.of("fqdn", "name", "url", "username", "password", "replication_endpoint", "replication_tls_sni"));
            if (!kv.isEmpty()) {
                throw new CliException("--instance: " + kv.keySet() + " not known (fqdn, username, password, url, replication_endpoint, "
                        + "replication_tls_sni)", 2);
            }
            if (compression != null) {
                ((ObjectNode) arr.get(arr.size() - 1)).put("compression", compression);
            }
        }
    }

    private int addInstance() {
        String guid = args.require("crdb-guid");
        List<String> instances = args.all("instance");
        if (instances.isEmpty()) {
            throw new CliException("crdb-cli crdb add-instance: --instance fqdn=<cluster>,... is required\n" + usage("crdb add-instance"), 2);
        }
        Integer compression = null;
        if (args.has("compression")) {
            try {
                compression = Integer.parseInt(args.get("compression"));
            } catch (NumberFormatException e) {
                compression = -1;
            }
            if (compression < 0 || compression > 6) {
                throw new CliException("crdb-cli crdb add-instance: --compression: 0 to 6 expected\n" + usage("crdb add-instance"), 2);
            }
        }
        ObjectNode body = ApiClient.JSON.createObjectNode();
        instances(instances, body.putArray("add_instances"), compression);
        return waitFor(api.send("POST", "/v1/crdbs/" + guid + "/updates", body, args.get("task-id")));
    }

    private int removeInstance() {
        String guid = args.require("crdb-guid");
        int id;
        try {
            id = Integer.parseInt(args.require("instance-id"));
        } catch (NumberFormatException e) {
            throw new CliException("crdb-cli crdb remove-instance: --instance-id: an instance id (a number) expected\n"
                    + usage("crdb remove-instance"), 2);
        }
        boolean force = args.has("force") && Args.bool("force", args.get("force"));
        ObjectNode body = ApiClient.JSON.createObjectNode();
        body.putArray("remove_instances").addObject().put("id", id).put("force_remove", force);
        return waitFor(api.send("POST", "/v1/crdbs/" + guid + "/updates", body, args.get("task-id")));
    }

    private int update() {
        String guid = args.require("crdb-guid");
        ObjectNode crdb = ApiClient.JSON.createObjectNode();
        if (args.has("encryption")) {
            crdb.put("encryption", Args.bool("encryption", args.get("encryption")));
        }
        if (args.has("default-db-config") || args.has("default-db-config-file")) {
            crdb.set("default_db_config", defaultDbConfig());
        }
        boolean force = args.has("force") && Args.bool("force", args.get("force"));
        if (crdb.isEmpty() && !force) {
            throw new CliException("nothing to update: give --encryption, --default-db-config or --force", 2);
        }
        ObjectNode body = ApiClient.JSON.createObjectNode();
        body.set("crdb", crdb);
        body.put("force_update", force);
        return waitFor(api.send("POST", "/v1/crdbs/" + guid + "/updates", body, args.get("task-id")));
    }

    private ObjectNode defaultDbConfig() {
        String text = args.get("default-db-config");
        if (text == null && args.has("default-db-config-file")) {
            try {
                text = Files.readString(Path.of(args.get("default-db-config-file")));
            } catch (IOException e) {
                throw new CliException("cannot read " + args.get("default-db-config-file") + ": " + e.getMessage());
            }
        }
        if (text == null) {
            return ApiClient.JSON.createObjectNode();
        }
        try {
            JsonNode n = ApiClient.JSON.readTree(text);
            if (!n.isObject()) {
                throw new CliException("--default-db-config: a JSON object expected", 2);
            }
            return (ObjectNode) n;
        } catch (IOException e) {
            throw new CliException("--default-db-config: not valid JSON: " + e.getMessage(), 2);
        }
    }

    private int list() {
        out.printf("%-38s %-16s %-8s %s%n", "CRDB-GUID", "NAME", "REPL-ID", "CLUSTER-FQDN");
        for (JsonNode c : api.get("/v1/crdbs")) {
            for (JsonNode i : c.path("instances")) {
                out.printf("%-38s %-16s %-8s %s%n", c.path("guid").asText(), c.path("name").asText(), i.path("id").asText(),
                        i.path("cluster").path("name").asText());
            }
        }
        return 0;
    }

    private static int usageError(String why, String cmd) {
        throw new CliException("crdb-cli " + cmd + ": " + why + "\n" + usage(cmd), 2);
    }

    private int text(String s) {
        out.print(s);
        return 0;
    }

    private int print(JsonNode n) {
        try {
            out.println(ApiClient.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(n));
        } catch (IOException e) {
            throw new CliException(e.getMessage());
        }
        return 0;
    }

    /**
     * RE's progress lines for a task seen as {@code from} at one poll and {@code now} at the next. A task always passes
     * {@code queued -> started -> finished|failed}; one that ran between two polls still prints both steps, as RE's
     * crdb-cli does, so scripts reading the output see the same lines however fast the task was.
     */
    static List<String> statusChanges(String from, String now) {
        if (now.equals(from)) {
            return List.of();
        }
        boolean ended = "finished".equals(now) || "failed".equals(now);
        if (ended && "queued".equals(from)) {
            return List.of(statusChanged("queued", "started"), statusChanged("started", now));
        }
        if (ended && !"started".equals(from)) {
            return List.of(statusChanged("started", now));
        }
        return List.of(statusChanged(from, now));
    }

    private static String statusChanged(String from, String now) {
        return "  ---> Status changed: " + from + " -> " + now;
    }

    /** Prints RE's progress lines until the task ends; non-zero exit when it fails. */
    private int waitFor(JsonNode task) {
        String id = task.path("id").asText();
        out.println("Task " + id + " created");
        if (args.has("wait") && args.has("no-wait")) {
            usageError("--wait and --no-wait exclude each other", command(args));
        }
        if (args.has("no-wait") && Args.bool("no-wait", args.get("no-wait"))) {
            return 0;
        }
        String status = task.path("status").asText("queued");
        boolean guidShown = false;
        List<String> errors = new ArrayList<>();
        while (true) {
            JsonNode t = api.get("/v1/crdb_tasks/" + id);
            String now = t.path("status").asText();
            statusChanges(status, now).forEach(out::println);
            status = now;
            if (!guidShown && "create_crdb".equals(t.path("operation").asText()) && t.hasNonNull("crdb_guid")
                    && !"queued".equals(now)) {
                out.println("  ---> CRDB GUID Assigned: crdb:" + t.path("crdb_guid").asText());
                guidShown = true;
            }
            if ("finished".equals(now)) {
                return 0;
            }
            if ("failed".equals(now)) {
                for (JsonNode e : t.path("errors")) {
                    errors.add("  ---> Error: " + (e.hasNonNull("cluster_name") ? e.get("cluster_name").asText() + ": " : "")
                            + e.path("description").asText() + " (" + e.path("error_code").asText() + ")");
                }
                errors.forEach(out::println);
                return 1;
            }
            LockSupport.parkNanos(200_000_000L);
        }
    }
}
