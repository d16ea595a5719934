package dev.tether.redis;

import redis.clients.jedis.RedisClient;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The per-role ACLs exactly as docs/redis-protocol.md documents them (the block for the server's
 * version, the scripts' SHA1s filled in): what the tests grant is what users are told.
 */
final class MinimalAcl {
    private MinimalAcl() {}

    /** The roles the document defines. */
    enum Role { ADMIN, WORKER, SUBMITTER, OBSERVER }

    /** The documented {@code ACL SETUSER} arguments of {@code role} on a Redis of this major version, for {@code user}. */
    static List<String> setUser(Role role, int redisMajor, String user, String password) throws IOException {
        return setUser(role, redisMajor, user, password, "*");
    }

    /** As {@link #setUser(Role, int, String, String)}, a worker's user made for the worker named {@code workerName} ({@code *}: any). */
    static List<String> setUser(Role role, int redisMajor, String user, String password, String workerName) throws IOException {
        var doc = Files.readString(Path.of("docs", "redis-protocol.md"));
        int from = doc.indexOf("<!-- acl:begin -->"), to = doc.indexOf("<!-- acl:end -->");
        if (from < 0 || to < from) throw new AssertionError("docs/redis-protocol.md has no ACL between its markers");
        var blocks = doc.substring(from, to).split("```");
        if (blocks.length < 5) throw new AssertionError("docs/redis-protocol.md: expected a Redis 7 block, then a Redis 6.2 block");
        var block = redisMajor >= 7 ? blocks[1] : blocks[3];
        var name = "tether-" + role.name().toLowerCase(java.util.Locale.ROOT);
        var line = block.lines().filter(l -> l.startsWith("ACL SETUSER " + name + " ")).findFirst()
                .orElseThrow(() -> new AssertionError("no ACL SETUSER " + name + " line for Redis " + redisMajor));
        var words = words(line);
        words.removeFirst(); // ACL
        words.removeFirst(); // SETUSER
        words.set(0, user);
        var shas = RedisSetup.shas();
        var placeholder = Pattern.compile("<sha:([a-z]+\\.lua)>");
        words.replaceAll(w -> {
            if (w.equals(">CHANGE-ME")) return ">" + password;
            w = w.replace("~tether:worker:NAME", "~tether:worker:" + workerName);
            var m = placeholder.matcher(w);
            var out = new StringBuilder();
            while (m.find()) {
                var sha = shas.get(m.group(1));
                if (sha == null) throw new AssertionError("the ACL names a script Tether does not have: " + m.group(1));
                m.appendReplacement(out, sha);
            }
            m.appendTail(out);
            return out.toString();
        });
        return words;
    }

    /** Words as redis-cli reads them: a double-quoted selector {@code "(...)"} is one word. */
    private static List<String> words(String line) {
        var out = new ArrayList<String>();
        var m = Pattern.compile("\"([^\"]*)\"|(\\S+)").matcher(line);
        while (m.find()) out.add(m.group(1) != null ? m.group(1) : m.group(2));
        return out;
    }

    /** Creates {@code user} with exactly the documented rights of {@code role} on {@code admin}'s server. */
    static void create(RedisClient admin, Role role, String user, String password) throws IOException {
        create(admin, role, user, password, "*");
    }

    /** As {@link #create(RedisClient, Role, String, String)}, a worker's user for the worker named {@code workerName}. */
    static void create(RedisClient admin, Role role, String user, String password, String workerName) throws IOException {
        var args = new ArrayList<String>();
        args.add("SETUSER");
        args.addAll(setUser(role, majorVersion(admin), user, password, workerName));
        admin.sendCommand(redis.clients.jedis.Protocol.Command.ACL, args.toArray(String[]::new));
    }

    /**
     * The admin step ({@code tether redis setup}, as the server's default user), then {@code user} with
     * the worker's and the submitter's rights together: one user for tests that run workers, views and
     * the command line alike.
     */
    static void create(RedisClient admin, String user, String password) throws IOException {
        createWithout(admin, user, password);
    }

    /**
     * As {@link #create(RedisClient, String, String)}, less {@code commands} (e.g. {@code xreadgroup},
     * {@code xgroup|create}) wherever the document grants them: on Redis 7 many are granted in a selector,
     * which a root {@code -command} does not reach. The user is rebuilt whole ({@code reset}), atomically,
     * so connections already authenticated as it keep working with the new rights.
     */
    static void createWithout(RedisClient admin, String user, String password, String... commands) throws IOException {
        RedisSetup.run(admin, Keys.standard(), null);
        int major = majorVersion(admin);
        var drop = java.util.Arrays.stream(commands).map(c -> "+" + c).collect(java.util.stream.Collectors.toSet());
        var args = new ArrayList<String>(List.of("SETUSER", user, "reset"));
        var worker = setUser(Role.WORKER, major, user, password);
        for (var w : worker.subList(1, worker.size())) args.add(without(w, drop));
        var submitter = setUser(Role.SUBMITTER, major, user, password);
        for (var w : submitter.subList(1, submitter.size())) {
            if (!w.startsWith("reset") && !w.equals("-@all")) args.add(without(w, drop));
        }
        admin.sendCommand(redis.clients.jedis.Protocol.Command.ACL, args.toArray(String[]::new));
    }

    /** One ACL word (a rule, or a selector's rules) without the dropped {@code +command} rules. */
    private static String without(String word, java.util.Set<String> drop) {
        if (drop.contains(word)) return "+ping"; // granted anyway: a harmless stand-in
        if (!word.startsWith("(")) return word;
        var inner = word.substring(1, word.length() - 1).split(" ");
        return "(" + String.join(" ", java.util.Arrays.stream(inner).filter(r -> !drop.contains(r)).toList()) + ")";
    }

    static int majorVersion(RedisClient admin) {
        var m = Pattern.compile("redis_version:(\\d+)\\.").matcher(admin.info("server"));
        if (!m.find()) throw new AssertionError("redis-server did not say its version");
        return Integer.parseInt(m.group(1));
    }
}
