package dev.tether.redis;

import redis.clients.jedis.RedisClient;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The least-privilege ACL exactly as docs/redis-protocol.md documents it: what the tests grant is what users are told. */
final class MinimalAcl {
    private MinimalAcl() {}

    /** The documented {@code ACL SETUSER} arguments, for {@code user} with {@code password}. */
    static List<String> setUser(String user, String password) throws IOException {
        var doc = Files.readString(Path.of("docs", "redis-protocol.md"));
        int from = doc.indexOf("<!-- acl:begin -->"), to = doc.indexOf("<!-- acl:end -->");
        if (from < 0 || to < from) throw new AssertionError("docs/redis-protocol.md has no ACL between its markers");
        var line = doc.substring(from, to).lines().filter(l -> l.startsWith("ACL SETUSER")).findFirst()
                .orElseThrow(() -> new AssertionError("no ACL SETUSER line in docs/redis-protocol.md"));
        var words = new ArrayList<>(List.of(line.trim().split("\\s+")));
        words.removeFirst(); // ACL
        words.removeFirst(); // SETUSER
        words.set(0, user);
        words.replaceAll(w -> w.equals(">CHANGE-ME") ? ">" + password : w);
        return words;
    }

    static void create(RedisClient admin, String user, String password) throws IOException {
        var args = new ArrayList<String>();
        args.add("SETUSER");
        args.addAll(setUser(user, password));
        admin.sendCommand(redis.clients.jedis.Protocol.Command.ACL, args.toArray(String[]::new));
    }
}
