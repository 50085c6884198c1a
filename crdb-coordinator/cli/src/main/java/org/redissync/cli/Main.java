package org.redissync.cli;

import java.io.PrintWriter;

import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/** Entry point of {@code crdb-cli} and {@code rladmin} (the wrapper script says which, via {@code cli.name}). */
public final class Main {

    private Main() {
    }

    public static void main(String[] argv) {
        System.exit(run(System.getProperty("cli.name", "crdb-cli"), argv));
    }

    static int run(String tool, String[] argv) {
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        int exit = commandLine(tool, out, err).execute(argv);
        out.flush(); // autoflush covers println only: crdb get and task status/list print whole texts
        err.flush();
        return exit;
    }

    /**
     * The command line of {@code tool}: usage errors (an unknown flag, an RE flag the suite does not have, a missing
     * value) name what was wrong, print that command's usage and exit 2; a {@link CliException} prints its message and
     * exits with its code; a command given without its subcommand prints its usage (exit 2).
     */
    static CommandLine commandLine(String tool, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine("rladmin".equals(tool) ? new Rladmin() : new CrdbCli());
        cl.setOut(out);
        cl.setErr(err);
        cl.setParameterExceptionHandler(Main::usageError);
        cl.setUnmatchedOptionsAllowedAsOptionParameters(false); // --crdb-guid --no-wait: a missing value, not the guid "--no-wait"
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof CliException c) {
                cmd.getErr().println(c.getMessage());
                cmd.getErr().flush();
                return c.exitCode();
            }
            throw e;
        });
        // a command with subcommands given alone (crdb-cli, crdb-cli crdb): its usage, exit 2
        cl.setExecutionStrategy(parsed -> {
            CommandLine last = parsed.asCommandLineList().get(parsed.asCommandLineList().size() - 1);
            if (!last.getSubcommands().isEmpty() && !last.isUsageHelpRequested() && !last.isVersionHelpRequested()) {
                last.usage(last.getErr());
                return 2;
            }
            return new CommandLine.RunLast().execute(parsed);
        });
        return cl;
    }

    private static int usageError(ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        PrintWriter err = cmd.getErr();
        String where = cmd.getCommandSpec().qualifiedName();
        String message = e.getMessage();
        if (e instanceof UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
            String arg = u.getUnmatched().get(0);
            if (arg.startsWith("--")) {
                String name = arg.substring(2);
                int eq = name.indexOf('=');
                name = eq > 0 ? name.substring(0, eq) : name;
                message = "password".equals(name) ? "--password: a password is never taken from the command line (the process list "
                        + "shows it): use --password-file <file> or REDISSYNC_API_PASSWORD (RE's crdb create --password, the database's "
                        + "password, is not supported by this suite)"
                        : "--" + name + (CrdbCli.RE_ONLY.contains(name) ? " is not supported by this suite" : " is not a flag of this command");
            } else {
                message = (cmd.getSubcommands().isEmpty() ? "unexpected argument '" : "unknown command '") + arg + "'";
            }
        }
        err.println(where + ": " + message);
        cmd.usage(err);
        err.flush();
        return 2;
    }
}
