package dev.tether.console;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A notification's text is broken into lines that fit: ControlsFX shows it as one line otherwise, off the screen. */
class NotifierWrapTest {
    @Test
    void longTextIsBrokenAtSpacesIntoLinesThatFitAndKeepsEveryWord() {
        var text = "Redis at redis://127.0.0.1:6401 evicts keys once it holds its maxmemory (256 MiB, maxmemory-policy allkeys-lru): "
                + "a run's record, its job, a worker's heartbeat or a cancel could vanish without a trace";
        var wrapped = Notifier.wrap(text, 40);
        assertThat(wrapped.lines()).allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(40)).hasSizeGreaterThan(4);
        assertThat(wrapped.replace('\n', ' ')).isEqualTo(text);
    }

    @Test
    void shortLinesAndTheirBreaksStayAsTheyAreAndAWordLongerThanALineStaysWhole() {
        assertThat(Notifier.wrap("Their worker stopped answering.", 72)).isEqualTo("Their worker stopped answering.");
        assertThat(Notifier.wrap("first\nsecond", 72)).isEqualTo("first\nsecond");
        var url = "https://example.org/" + "x".repeat(60);
        assertThat(Notifier.wrap("see " + url + " now", 40)).isEqualTo("see\n" + url + "\nnow");
    }
}
