package org.redissync.cli;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/** Entry point of {@code crdb-cli} and {@code rladmin} (the wrapper script says which, via {@code cli.name}). */
public final class Main {

    private Main() {
    }

    public static void main(String[] argv) {
        System.exit(run(System.getProperty("cli.name", "crdb-cli"), argv));
    }

    static int run(String tool, String[] argv) {
        boolean rladmin = "rladmin".equals(tool);
        Set<String> switches = new HashSet<>(rladmin ? Rladmin.SWITCHES : CrdbCli.SWITCHES);
        try {
            Args args = Args.parse(argv, switches);
            if (args.words.isEmpty() || args.has("help")) {
                String cmd = args.words.size() >= 2 ? args.words.get(0) + " " + args.words.get(1) : null;
                System.out.println(rladmin ? Rladmin.USAGE : CrdbCli.usage(cmd));
                return args.words.isEmpty() && !args.has("help") ? 2 : 0;
            }
            if (!rladmin && CrdbCli.command(args) == null) { // a wrong command or flag is said before any API is looked for
                throw new CliException(CrdbCli.USAGE, 2);
            }
            Path repo = Path.of(System.getProperty("suite.repo", "."));
            ApiClient api = new ApiClient(ApiSettings.resolve(args.apiFlags(), System.getenv(), repo));
            return rladmin ? new Rladmin(args, api, System.out, System.getenv()).run() : new CrdbCli(args, api, System.out).run();
        } catch (CliException e) {
            System.err.println(e.getMessage());
            return e.exitCode();
        }
    }
}
