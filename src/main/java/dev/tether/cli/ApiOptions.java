package dev.tether.cli;

import picocli.CommandLine.Option;

/** Options of the control API of the processes that serve one (console, serve). */
final class ApiOptions {
    @Option(names = "--tcp-port", paramLabel = "PORT",
            description = "Also serve the control API on 127.0.0.1:PORT (0: any free port), for Prometheus and curl; the command line always uses the socket in the Tether home.")
    Integer tcpPort;

    dev.tether.control.ControlServer.Options options(java.util.function.Supplier<String> metrics) {
        if (tcpPort != null && (tcpPort < 0 || tcpPort > 65535)) throw new IllegalArgumentException("--tcp-port must be 0 to 65535");
        return new dev.tether.control.ControlServer.Options(metrics, tcpPort);
    }
}
