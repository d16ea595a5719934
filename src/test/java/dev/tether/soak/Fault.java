package dev.tether.soak;

import java.util.Random;

/** One kind of fault, injected again and again by the {@link FaultSchedule}. */
interface Fault {
    /** Its name in the report ("kill-serve", "redis-restart-empty", ...). */
    String kind();

    /**
     * Injects the fault once and returns when it is lifted (a killed process restarted, a full disk
     * freed, a stall over): the system is then left to recover on its own.
     *
     * @return what was done, for the report and the log
     */
    String inject(Random random) throws Exception;
}
