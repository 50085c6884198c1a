package org.redissync.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.LockSupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code crdb-cli}: Redis Enterprise's syntax and output, against the coordinator's REST API. Built on picocli: each
 * command takes exactly its flags (anything else is refused by name, with that command's usage, exit 2), and
 * {@code --help} works on every command. RE flags this suite does not have are named as such ({@link #RE_ONLY}).
 */
@Command(name = "crdb-cli", mixinStandardHelpOptions = true, version = "redis-sync crdb-cli",
        description = "Active-Active databases (CRDBs) and their tasks, as Redis Enterprise's crdb-cli.",
        subcommands = {CrdbCli.Crdb.class, CrdbCli.Task.class})
final class CrdbCli {

    /** Flags Redis Enterprise's crdb-cli has that this suite does not: refused by name, never ignored. */
    static final Set<String> RE_ONLY = Set.of("replication", "persistence", "causal-consistency", "password-crdb", "sharding",
            "shards-count", "shard-key-regex", "oss-cluster", "oss-sharding", "bigstore", "bigstore-ram-size", "with-module",
            "compression", "proxy-policy", "featureset-version", "credentials", "update-module", "update-db-config-modules");

    @Command(name = "crdb", mixinStandardHelpOptions = true, description = "Create, change, list and delete Active-Active databases.",
            subcommands = {Create.class, Update.class, AddInstance.class, RemoveInstance.class, ListCrdbs.class, Get.class, Delete.class})
    static final class Crdb {
    }

    @Command(name = "task", mixinStandardHelpOptions = true, description = "Follow and cancel CRDB tasks.",
            subcommands = {TaskStatus.class, TaskList.class, TaskCancel.class})
    static final class Task {
    }

    /** What every command has: the API options, its output, and RE's task following. */
    abstract static class Base implements Callable<Integer> {
        @Mixin
        ApiOptions apiOptions;
        @Spec
        CommandSpec spec;
        private ApiClient api;

        ApiClient api() {
            if (api == null) {
                api = apiOptions.client();
            }
            return api;
        }

        PrintWriter out() {
            return spec.commandLine().getOut();
        }

        CliException usage(String why) {
            return new CliException(spec.qualifiedName() + ": " + why + "\n" + spec.commandLine().getUsageMessage(), 2);
        }
    }

    /** A command that starts a task: {@code --wait} (the default) follows it to its end as RE prints it; {@code --no-wait} does not. */
    abstract static class TaskCommand extends Base {
        @Option(names = "--no-wait", description = "Return once the task is created")
        boolean noWait;
        @Option(names = "--task-id", paramLabel = "<id>", description = "The task's id (RE's X-Task-ID), else one is made")
        String taskId;

        int follow(JsonNode task) {
            return waitFor(task, out(), api(), noWait);
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Creates an Active-Active database.")
    static final class Create extends TaskCommand {
        @Option(names = "--name", required = true, paramLabel = "<name>")
        String name;
        @Option(names = "--memory-size", required = true, paramLabel = "<maximum_memory>", description = "e.g. 100mb, 1GB")
        String memorySize;
        @Option(names = "--instance", required = true, paramLabel = "fqdn=<cluster>,username=..,password=..[,url=..,"
                + "replication_endpoint=..,replication_tls_sni=..]")
        List<String> instances;
        @Option(names = "--port", paramLabel = "<port>")
        Integer port;
        @Option(names = "--encryption", paramLabel = "true|false")
        String encryption;
        @Option(names = "--eviction-policy", paramLabel = "<policy>")
        String evictionPolicy;
        @Option(names = "--default-db-config", paramLabel = "<json>")
        String defaultDbConfig;
        @Option(names = "--default-db-config-file", paramLabel = "<file>")
        String defaultDbConfigFile;
        @Option(names = "--wait", description = "Follow the task to its end (the default)")
        boolean waitFlag;

        @Override
        public Integer call() {
            if (waitFlag && noWait) {
                throw usage("--wait and --no-wait exclude each other");
            }
            ObjectNode body = ApiClient.JSON.createObjectNode();
            body.put("name", name);
            ObjectNode db = defaultDbConfig(defaultDbConfig, defaultDbConfigFile);
            db.put("name", name);
            db.put("memory_size", Values.size("memory-size", memorySize));
            if (port != null) {
                db.put("port", port);
            }
            if (evictionPolicy != null) {
                db.put("eviction_policy", evictionPolicy);
            }
            body.set("default_db_config", db);
            if (encryption != null) {
                body.put("encryption", Values.bool("encryption", encryption));
            }
            instances(instances, body.putArray("instances"), null);
            return follow(api().send("POST", "/v1/crdbs", body, taskId));
        }
    }

    @Command(name = "update", mixinStandardHelpOptions = true, description = "Updates the configuration of an Active-Active database.")
    static final class Update extends TaskCommand {
        @Option(names = "--crdb-guid", required = true, paramLabel = "<guid>")
        String guid;
        @Option(names = "--encryption", paramLabel = "true|false")
        String encryption;
        @Option(names = "--force", description = "Rebuild every channel even when nothing changed")
        boolean force;
        @Option(names = "--memory-size", paramLabel = "<maximum_memory>")
        String memorySize;
        @Option(names = "--eviction-policy", paramLabel = "<policy>")
        String evictionPolicy;
        @Option(names = "--default-db-config", paramLabel = "<json>")
        String defaultDbConfig;
        @Option(names = "--default-db-config-file", paramLabel = "<file>")
        String defaultDbConfigFile;

        @Override
        public Integer call() {
            ObjectNode crdb = ApiClient.JSON.createObjectNode();
            if (encryption != null) {
                crdb.put("encryption", Values.bool("encryption", encryption));
            }
            ObjectNode db = defaultDbConfig(defaultDbConfig, defaultDbConfigFile);
            if (memorySize != null) {
                db.put("memory_size", Values.size("memory-size", memorySize));
            }
            if (evictionPolicy != null) {
                db.put("eviction_policy", evictionPolicy);
            }
            if (!db.isEmpty()) {
                crdb.set("default_db_config", db);
            }
            if (crdb.isEmpty() && !force) {
                throw usage("nothing to update: give --encryption, --memory-size, --eviction-policy, --default-db-config or --force");
            }
            ObjectNode body = ApiClient.JSON.createObjectNode();
            body.set("crdb", crdb);
            body.put("force_update", force);
            return follow(api().send("POST", "/v1/crdbs/" + guid + "/updates", body, taskId));
        }
    }

    @Command(name = "add-instance", mixinStandardHelpOptions = true, description = "Adds a peer replica to an Active-Active database.")
    static final class AddInstance extends TaskCommand {
        @Option(names = "--crdb-guid", required = true, paramLabel = "<guid>")
        String guid;
        @Option(names = "--instance", required = true, paramLabel = "fqdn=<cluster>,username=..,password=..[,url=..,"
                + "replication_endpoint=..,replication_tls_sni=..]")
        String instance;
        @Option(names = "--compression", paramLabel = "<0-6>")
        Integer compression;
        @Option(names = "--wait", description = "Follow the task to its end (the default)")
        boolean waitFlag;

        @Override
        public Integer call() {
            if (waitFlag && noWait) {
                throw usage("--wait and --no-wait exclude each other");
            }
            if (compression != null && (compression < 0 || compression > 6)) {
                throw usage("--compression: 0 to 6 expected");
            }
            ObjectNode body = ApiClient.JSON.createObjectNode();
            instances(List.of(instance), body.putArray("add_instances"), compression);
            return follow(api().send("POST", "/v1/crdbs/" + guid + "/updates", body, taskId));
        }
    }

    @Command(name = "remove-instance", mixinStandardHelpOptions = true,
            description = "Removes a peer replica from an Active-Active database (after its writes reached every peer; --force: at once).")
    static final class RemoveInstance extends TaskCommand {
        @Option(names = "--crdb-guid", required = true, paramLabel = "<guid>")
        String guid;
        @Option(names = "--instance-id", required = true, paramLabel = "<instance-id>")
        int instanceId;
        @Option(names = "--force", description = "Remove without waiting for its writes to reach the peers")
        boolean force;

        @Override
        public Integer call() {
            ObjectNode body = ApiClient.JSON.createObjectNode();
            body.putArray("remove_instances").addObject().put("id", instanceId).put("force_remove", force);
            return follow(api().send("POST", "/v1/crdbs/" + guid + "/updates", body, taskId));
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists the Active-Active databases and their instances.")
    static final class ListCrdbs extends Base {
        @Override
        public Integer call() {
            PrintWriter out = out();
            out.printf("%-38s %-16s %-8s %s%n", "CRDB-GUID", "NAME", "REPL-ID", "CLUSTER-FQDN");
            for (JsonNode c : api().get("/v1/crdbs")) {
                for (JsonNode i : c.path("instances")) {
                    out.printf("%-38s %-16s %-8s %s%n", c.path("guid").asText(), c.path("name").asText(), i.path("id").asText(),
                            i.path("cluster").path("name").asText());
                }
            }
            return 0;
        }
    }

    @Command(name = "get", mixinStandardHelpOptions = true, description = "Shows an Active-Active database's configuration.")
    static final class Get extends Base {
        @Option(names = "--crdb-guid", required = true, paramLabel = "<guid>")
        String guid;

        @Override
        public Integer call() {
            out().print(ReText.crdbGet(api().get("/v1/crdbs/" + guid)));
            return 0;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Deletes an Active-Active database.")
    static final class Delete extends TaskCommand {
        @Option(names = "--crdb-guid", required = true, paramLabel = "<guid>")
        String guid;

        @Override
        public Integer call() {
            return follow(api().send("DELETE", "/v1/crdbs/" + guid, null, taskId));
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = "Shows a task's status.")
    static final class TaskStatus extends Base {
        @Option(names = "--task-id", required = true, paramLabel = "<task_id>")
        String id;
        @Option(names = "--verbose", description = "Each cluster's progress too")
        boolean verbose;
        @Option(names = "--no-verbose")
        boolean noVerbose;

        @Override
        public Integer call() {
            if (verbose && noVerbose) {
                throw usage("--verbose and --no-verbose exclude each other");
            }
            out().print(ReText.taskStatus(api().get("/v1/crdb_tasks/" + id), verbose));
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists the tasks.")
    static final class TaskList extends Base {
        @Override
        public Integer call() {
            out().print(ReText.taskList(api().get("/v1/crdb_tasks")));
            return 0;
        }
    }

    @Command(name = "cancel", mixinStandardHelpOptions = true, description = "Attempts to cancel a task (it may finish first).")
    static final class TaskCancel extends Base {
        @Option(names = "--task-id", required = true, paramLabel = "<task_id>")
        String id;

        @Override
        public Integer call() {
            api().send("POST", "/v1/crdb_tasks/" + id + "/actions/cancel", null, null); // RE prints nothing; an error says why
            return 0;
        }
    }

    // ------------------------------------------------------------------------------------------------

    static ObjectNode defaultDbConfig(String text, String file) {
        if (text == null && file != null) {
            try {
                text = Files.readString(Path.of(file));
            } catch (IOException e) {
                throw new CliException("cannot read " + file + ": " + e.getMessage());
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

    /** RE's {@code --instance fqdn=..,username=..,password=..[,url=..,replication_endpoint=..,replication_tls_sni=..]}, each. */
    static void instances(List<String> instances, ArrayNode arr, Integer compression) {
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
            ObjectNode entry = arr.addObject();
            ObjectNode c = entry.putObject("cluster");
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
                entry.put("compression", compression);
            }
        }
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

    private static final String GUID_ASSIGNED = "  ---> CRDB GUID Assigned: crdb:";

    /**
     * The lines one poll of a task adds. RE prints a create's GUID between "queued -> started" and
     * the task's end, also when one poll sees both transitions at once.
     */
    static List<String> progressLines(String from, JsonNode task, boolean guidShown) {
        String now = task.path("status").asText();
        boolean guidPending = !guidShown && "create_crdb".equals(task.path("operation").asText()) && task.hasNonNull("crdb_guid");
        List<String> lines = new ArrayList<>();
        for (String change : statusChanges(from, now)) {
            if (guidPending && change.startsWith(statusChanged("started", ""))) {
                lines.add(GUID_ASSIGNED + task.path("crdb_guid").asText());
                guidPending = false;
            }
            lines.add(change);
        }
        if (guidPending && "started".equals(now)) {
            lines.add(GUID_ASSIGNED + task.path("crdb_guid").asText());
        }
        return lines;
    }

    /** Prints RE's progress lines until the task ends; non-zero exit when it fails. */
    static int waitFor(JsonNode task, PrintWriter out, ApiClient api, boolean noWait) {
        String id = task.path("id").asText();
        out.println("Task " + id + " created");
        out.flush();
        if (noWait) {
            return 0;
        }
        String status = task.path("status").asText("queued");
        boolean guidShown = false;
        List<String> errors = new ArrayList<>();
        while (true) {
            JsonNode t = api.get("/v1/crdb_tasks/" + id);
            String now = t.path("status").asText();
            for (String line : progressLines(status, t, guidShown)) {
                guidShown |= line.startsWith(GUID_ASSIGNED);
                out.println(line);
            }
            status = now;
            out.flush();
            if ("finished".equals(now)) {
                return 0;
            }
            if ("failed".equals(now)) {
                for (JsonNode e : t.path("errors")) {
                    errors.add("  ---> Error: " + (e.hasNonNull("cluster_name") ? e.get("cluster_name").asText() + ": " : "")
                            + e.path("description").asText() + " (" + e.path("error_code").asText() + ")");
                }
                errors.forEach(out::println);
                out.flush();
                return 1;
            }
            LockSupport.parkNanos(200_000_000L);
        }
    }
}
