package org.redissync.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** {@code --name value} options (repeatable ones collected), {@code --flag} switches, and positional words. */
final class Args {

    final List<String> words = new ArrayList<>();
    final Map<String, List<String>> options = new HashMap<>();

    static Args parse(String[] argv, java.util.Set<String> switches) {
        Args a = new Args();
        for (int i = 0; i < argv.length; i++) {
            String s = argv[i];
            if (s.startsWith("--")) {
                String name = s.substring(2);
                String value;
                int eq = name.indexOf('=');
                if (eq > 0) {
                    value = name.substring(eq + 1);
                    name = name.substring(0, eq);
                } else if (switches.contains(name)) {
                    value = "true";
                } else if (i + 1 < argv.length && argv[i + 1].startsWith("--")) {
                    value = ""; // a flag without its value (or one we do not know): never swallow the next flag
                } else if (i + 1 < argv.length) {
                    value = argv[++i];
                } else {
                    throw new CliException("--" + name + " needs a value", 2);
                }
                a.options.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
            } else {
                a.words.add(s);
            }
        }
        return a;
    }

    String get(String name) {
        List<String> v = options.get(name);
        return v == null ? null : v.get(v.size() - 1);
    }

    String require(String name) {
        String v = get(name);
        if (v == null || v.isEmpty()) {
            throw new CliException("--" + name + " is required", 2);
        }
        return v;
    }

    List<String> all(String name) {
        return options.getOrDefault(name, List.of());
    }

    boolean has(String name) {
        return options.containsKey(name);
    }

    /** The API settings flags only. */
    Map<String, String> apiFlags() {
        Map<String, String> m = new HashMap<>();
        for (String k : List.of("api-url", "user", "password", "password-file", "cacert")) {
            if (get(k) != null) {
                m.put(k, get(k));
            }
        }
        return m;
    }

    /** Redis Enterprise booleans: true|false|yes|no (also enabled|disabled). */
    static boolean bool(String name, String v) {
        return switch (v.toLowerCase()) {
            case "true", "yes", "enabled", "1" -> true;
            case "false", "no", "disabled", "0" -> false;
            default -> throw new CliException("--" + name + ": true|false|yes|no expected, got '" + v + "'", 2);
        };
    }

    /** 100mb, 1g, 512MB, 1073741824 → bytes. */
    static long size(String v) {
        var m = java.util.regex.Pattern.compile("(?i)^(\\d+)\\s*([kmgt]?)b?$").matcher(v.trim());
        if (!m.matches()) {
            throw new CliException("--memory-size: a size like 100mb or 1g expected, got '" + v + "'", 2);
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
