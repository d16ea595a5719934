package dev.tether.console;

import javafx.application.Platform;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.stage.Stage;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Run as a process of its own on a real display by {@link ToolkitEnvironmentTest}: starts the real
 * (GTK) toolkit, paints a window, and prints where the process environment's array was before the
 * toolkit's first thread started and after its first frame. {@code settled} starts the toolkit as
 * the console does ({@link TetherConsole#startToolkit}); {@code unsettled} starts it bare. With
 * {@code read}, this thread calls C's {@code getenv} without pause until the first frame, as the
 * console's main thread reads the environment (the host name's lookup) beside the toolkit's start.
 */
final class ToolkitEnvironmentProbe {
    public static void main(String[] args) throws Throwable {
        boolean settled = args[0].equals("settled"), read = args[1].equals("read");
        var linker = Linker.nativeLinker();
        MethodHandle getenv = linker.downcallHandle(linker.defaultLookup().find("getenv").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS));
        MemorySegment name = Arena.global().allocateFrom("LOCALDOMAIN"); // one the resolver reads
        if (settled) ToolkitEnvironment.settle();
        long before = arrayAddress();
        CompletableFuture<Void> up;
        if (settled) {
            up = TetherConsole.startToolkit();
        } else {
            up = new CompletableFuture<>();
            Thread.ofPlatform().daemon().start(() -> Platform.startup(() -> up.complete(null)));
        }
        var painted = up.thenCompose(ignored -> {
            var shown = new CompletableFuture<Void>();
            Platform.runLater(() -> {
                var scene = new Scene(new Label("probe"), 200, 100);
                FirstPaint.afterFirstFrame(scene, () -> shown.complete(null));
                var stage = new Stage();
                stage.setScene(scene);
                stage.show();
            });
            return shown;
        });
        long reads = 0;
        while (read && !painted.isDone()) {
            var value = (MemorySegment) getenv.invokeExact(name);
            reads++;
        }
        painted.get(60, TimeUnit.SECONDS);
        long after = arrayAddress();
        System.out.printf("environ before=%x after=%x reads=%d%n", before, after, reads);
        System.out.flush();
        System.exit(0);
    }

    /** C's {@code environ}: the address of the environment's array of pointers. */
    private static long arrayAddress() {
        var environ = Linker.nativeLinker().defaultLookup().find("environ").orElseThrow();
        return environ.reinterpret(ValueLayout.ADDRESS.byteSize()).get(ValueLayout.ADDRESS, 0).address();
    }
}
