package dev.tether.run;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletionException;

import static org.assertj.core.api.Assertions.assertThat;

/** ErrorInfo is made from whatever a node threw; it must never fail itself. */
class ErrorInfoTest {

    static final class Hostile extends RuntimeException {
        @Override
        public String getMessage() {
            throw new IllegalStateException("no message for you");
        }
    }

    static final class Looping extends RuntimeException {
        Throwable next;

        Looping(String m) {
            super(m);
        }

        @Override
        public synchronized Throwable getCause() {
            return next;
        }
    }

    @Test
    void aMessageThatThrowsStillGivesAnError() {
        var info = ErrorInfo.of(new CompletionException("node failed", new Hostile()));
        assertThat(info.type()).isEqualTo(Hostile.class.getName());
        assertThat(info.message()).contains("could not be read");
        assertThat(info.stackTrace()).contains("Hostile").contains("\tat ");
    }

    @Test
    void aCauseCycleEnds() {
        var a = new Looping("a");
        var b = new Looping("b");
        a.next = b;
        b.next = a;
        var info = ErrorInfo.of(new CompletionException(a));
        assertThat(info.type()).isEqualTo(Looping.class.getName());
        assertThat(info.stackTrace()).contains("CIRCULAR REFERENCE");

        var self = new Looping("self");
        self.next = self;
        assertThat(ErrorInfo.of(self).message()).isEqualTo("self");
    }

    @Test
    void wrappersArePeeledToWhatFailed() {
        var info = ErrorInfo.of(new CompletionException(new java.util.concurrent.ExecutionException(new IllegalArgumentException("bad"))));
        assertThat(info.summary()).isEqualTo("IllegalArgumentException: bad");
    }
}
