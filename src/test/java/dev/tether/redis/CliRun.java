package dev.tether.redis;

import dev.tether.testing.Hang;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** One `tether` command in a child JVM (this test class path), logs off: its exit code and what it wrote to stderr and stdout. */
record CliRun(int exit, String err, String out) {
    static CliRun of(Map<String, String> env, String... args) throws Exception {
        var java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        var cmd = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"), "dev.tether.cli.Main"));
        cmd.addAll(List.of(args));
        var pb = new ProcessBuilder(cmd);
        pb.environment().put("TETHER_LOG_LEVEL", "OFF");
        pb.environment().remove(RedisSettings.ENV);
        pb.environment().remove(TlsTrust.ENV);
        pb.environment().putAll(env);
        var p = pb.start();
        var out = new String(p.getInputStream().readAllBytes()).trim();
        var err = new String(p.getErrorStream().readAllBytes()).trim();
        if (!p.waitFor(Hang.ACROSS_PROCESSES_SECONDS, TimeUnit.SECONDS)) p.destroyForcibly();
        return new CliRun(p.waitFor(), err, out);
    }
}
