package org.redissync.cli;

/** Redis Enterprise's spellings of command-line values. */
final class Values {

    private Values() {
    }

    /** Redis Enterprise booleans: true|false|yes|no (also enabled|disabled, 1|0). */
    static boolean bool(String name, String v) {
        return switch (v.toLowerCase()) {
            case "true", "yes", "enabled", "1" -> true;
            case "false", "no", "disabled", "0" -> false;
            default -> throw new CliException("--" + name + ": true|false|yes|no expected, got '" + v + "'", 2);
        };
    }

    /** 100mb, 1g, 512MB, 1073741824 → bytes. */
    static long size(String name, String v) {
        var m = java.util.regex.Pattern.compile("(?i)^(\\d+)\\s*([kmgt]?)b?$").matcher(v.trim());
        if (!m.matches()) {
            throw new CliException("--" + name + ": a size like 100mb or 1g expected, got '" + v + "'", 2);
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2).toLowerCase()) {
            case "k" -> n << 10;
            case "m" -> n << 20;
            case "g" -> n << 30;
            case "t" -> n << 40;
            default -> n;
        };
    }
}
