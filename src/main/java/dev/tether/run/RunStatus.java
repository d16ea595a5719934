package dev.tether.run;

/** Where a run is in its life. Terminal statuses never change once reached. */
public enum RunStatus {
    QUEUED, RUNNING, CANCELLING, CANCELLED, COMPLETED, FAILED,
    /** A cancel was requested but the run did not stop within the grace: never reported as cancelled. */
    STUCK,
    /** The worker that held the run vanished (distributed mode). */
    LOST;

    public boolean isTerminal() {
        return switch (this) {
            case QUEUED, RUNNING, CANCELLING -> false;
            case CANCELLED, COMPLETED, FAILED, STUCK, LOST -> true;
        };
    }

    public boolean isActive() {
        return !isTerminal();
    }
}
