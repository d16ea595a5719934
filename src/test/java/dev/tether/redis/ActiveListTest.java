package dev.tether.redis;

import dev.tether.catalog.GraphCatalog;
import dev.tether.run.ActivePage;
import dev.tether.run.ActiveQuery;
import dev.tether.run.CancelRequest;
import dev.tether.run.RunEvent;
import dev.tether.run.RunIds;
import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStateMachine;
import dev.tether.run.RunStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code tether list} with Redis pages the active runs from the live index: every active run once, in
 * id order, whatever the filters, the page size and the writes between; the index follows every state
 * change in the same script, holds nothing once no run is active, and forgets runs whose record
 * vanished.
 */
class ActiveListTest {
    private static final List<String> GRAPHS = List.of("welcome-email", "book-workflow", "odd:graph \"quoted\"", "grāph");
    private static final List<String> QUEUES = List.of("q1", "q2");
    private static final List<String> WORKERS = List.of("w1", "w2", "w3");

    private RealRedis server;
    private RedisClient admin;
    private RunStore store;
    private final Keys keys = Keys.standard();
    private final Random random = new Random(20261205L);

    @BeforeEach
    void start() throws Exception {
        server = RealRedis.start();
        admin = server.admin();
        store = new RunStore(admin, keys, Duration.ofDays(1), 10_000);
    }

    @AfterEach
    void stop() throws Exception {
        admin.close();
        server.close();
    }

    @Test
    void everyPagingOfEveryFilterListsEachMatchingActiveRunOnceInIdOrder() {
        var runs = mixedRuns(1_200);
        var active = store.active();
        assertThat(active).hasSizeGreaterThan(500).hasSizeLessThan(runs.size());

        for (int i = 0; i < 150; i++) {
            var q = randomQuery();
            var expected = active.stream().filter(q::matches).map(RunSnapshot::runId).sorted().toList();
            assertThat(pageThrough(q)).as(q.toString()).containsExactlyElementsOf(expected);
        }
        var everything = pageThrough(ActiveQuery.first(ActiveQuery.MAX_LIMIT));
        assertThat(everything).containsExactlyElementsOf(active.stream().map(RunSnapshot::runId).sorted().toList());
    }

    @Test
    void theIndexFollowsEveryStateChangeAndHoldsNothingOnceNoRunIsActive() {
        mixedRuns(300);
        var one = queue("book-workflow", "q2");
        store.put(RunStateMachine.apply(one, new RunEvent.Started(one.runId(), "w9", Instant.now())));
        assertThat(page(new ActiveQuery(Set.of(RunStatus.RUNNING), null, null, "w9", 10, null)).runs())
                .extracting(RunSnapshot::runId).containsExactly(one.runId());
        assertThat(page(new ActiveQuery(Set.of(RunStatus.QUEUED), null, null, null, ActiveQuery.MAX_LIMIT, null)).runs())
                .extracting(RunSnapshot::runId).doesNotContain(one.runId());
        for (var r : store.active()) end(r);

        assertThat(page(ActiveQuery.first(100)).runs()).isEmpty();
        assertThat(admin.zcard(keys.live())).as("entries left in the live index: %s", admin.zrange(keys.live(), 0, 20)).isZero();
    }

    @Test
    void aNodeUpdateLeavesTheIndexAsItIsAndARecordsOwnFieldsNeverConfuseIt() {
        // the input repeats the names the index reads from the record's head, with other values
        var request = new dev.tether.engine.RunRequest(RunIds.next(), "welcome-email", "q1",
                Map.of("status", "COMPLETED", "worker", "w3", "graphId", "book-workflow", "queue", "q2"), Instant.now(), null, null, null);
        var queued = RunStateMachine.apply(null, request.submitted());
        store.submit(queued, keys.queue("q1"), Jobs.fields(request));
        var running = RunStateMachine.apply(queued, new RunEvent.Started(queued.runId(), "w1", Instant.now()));
        store.put(running);
        var before = admin.zrange(keys.live(), 0, -1);
        store.put(RunStateMachine.apply(running, new RunEvent.NodeStarted(queued.runId(), "render", Instant.now())));

        assertThat(admin.zrange(keys.live(), 0, -1)).isEqualTo(before)
                .containsExactlyInAnyOrderElementsOf(LiveScan.members(queued.runId(), "RUNNING:w1:q1:welcome-email"));
        assertThat(dev.tether.json.Json.write(running)).as("the head the scripts read")
                .startsWith("{\"runId\":\"" + queued.runId() + "\",\"graphId\":\"welcome-email\",\"queue\":\"q1\",\"worker\":\"w1\",\"status\":\"RUNNING\"");
    }

    @Test
    void aRunsWritesAfterItsSubmitReadItsRecordOnceEachAndLookNothingUpInTheIndexes() {
        var queued = queue("welcome-email", "q1");
        long lookups = calls("zrangebylex");
        long reads = calls("hmget");
        var running = RunStateMachine.apply(queued, new RunEvent.Started(queued.runId(), "w1", Instant.now()));
        assertThat(store.claim(running, "w1", "7-0").outcome()).isEqualTo(RunStore.Claim.Outcome.STARTED);
        assertThat(calls("hmget") - reads).as("the claim reads the record once").isEqualTo(1);
        // the claim recorded the entry it came from with the state: the same claim again (its reply lost) is its own
        var again = store.claim(running, "w1", "7-0");
        assertThat(again.outcome()).isEqualTo(RunStore.Claim.Outcome.TAKEN);
        assertThat(List.of(again.holder(), again.entryId())).containsExactly("w1", "7-0");
        var node = RunStateMachine.apply(running, new RunEvent.NodeStarted(queued.runId(), "render", Instant.now()));
        store.put(node);
        assertThat(admin.hget(keys.run(queued.runId()), "d")).isEqualTo("RUNNING:w1:q1:welcome-email");
        reads = calls("hmget");
        long fields = calls("hget");
        var ended = RunStateMachine.apply(node, new RunEvent.Completed(queued.runId(), Instant.now()));
        assertThat(store.finish(ended, keys.queue("q1"), "7-0", "w1")).isEqualTo(RunStore.Put.ACCEPTED);
        assertThat(calls("hmget") - reads).as("the end reads the record once").isEqualTo(1);
        assertThat(calls("hget") - fields).as("and the finished index's cap").isEqualTo(1);

        assertThat(calls("zrangebylex") - lookups).as("index lookups by the writes after the submit").isZero();
        assertThat(admin.hget(keys.run(queued.runId()), "d")).isEmpty();
        assertThat(admin.zcard(keys.live())).isZero();
    }

    @Test
    void aRunTakenOutOfTheIndexWhileItsRecordStaysIsListedAgainByItsNextWrite() {
        var queued = queue("welcome-email", "q1");
        var running = RunStateMachine.apply(queued, new RunEvent.Started(queued.runId(), "w1", Instant.now()));
        store.put(running);
        admin.srem(keys.active(), queued.runId()); // taken out by hand: the workers' pass drops its entries
        assertThat(new RunIndex(admin, keys).pruneLive()).isEqualTo(1);
        assertThat(admin.zcard(keys.live())).isZero();

        // the same descriptor as before it was taken out: the write must not trust what the record said
        store.put(RunStateMachine.apply(running, new RunEvent.NodeStarted(queued.runId(), "render", Instant.now())));

        assertThat(admin.zrange(keys.live(), 0, -1)).containsExactlyInAnyOrderElementsOf(LiveScan.members(queued.runId(), "RUNNING:w1:q1:welcome-email"));
        assertThat(pageThrough(ActiveQuery.first(10))).containsExactly(queued.runId());
    }

    @Test
    void aRunWhoseRecordVanishedIsSkippedAndItsEntriesArePrunedByTheWorkersPass() {
        var kept = new ArrayList<RunSnapshot>();
        var gone = new ArrayList<RunSnapshot>();
        for (int i = 0; i < RunIndex.PRUNE_BATCH + 40; i++) (i % 3 == 0 ? gone : kept).add(queue("welcome-email", "q1"));
        for (int i = 0; i < gone.size(); i++) {
            var id = gone.get(i).runId();
            if (i % 2 == 0) admin.del(keys.run(id)); // expired, deleted, lost with Redis' data
            else admin.hset(keys.run(id), "j", "{not json"); // written by something else than Tether
        }

        assertThat(pageThrough(ActiveQuery.first(50))).containsExactlyElementsOf(kept.stream().map(RunSnapshot::runId).sorted().toList());
        int quarantined = 0;
        for (int pass = 0; pass < 4; pass++) quarantined += store.quarantineUnreadable(); // a bounded batch a pass, round and round
        assertThat(quarantined).as("moved out of the active set").isEqualTo(gone.size());

        var index = new RunIndex(admin, keys);
        long pruned = index.pruneLive();
        assertThat(pruned).as("one pass checks one batch").isPositive().isLessThan(gone.size());
        pruned += index.pruneLive();
        pruned += index.pruneLive();
        assertThat(pruned).isEqualTo(gone.size());
        assertThat(admin.zcard(keys.live())).isEqualTo(kept.size() * 4L); // a:, s:, q:, g: each (no worker yet)
    }

    @Test
    void unreadableRecordsAreFoundABoundedBatchAPassHoweverManyRunsAreActive() {
        var runs = new ArrayList<RunSnapshot>();
        for (int i = 0; i < 1_500; i++) runs.add(queue("welcome-email", "q1"));
        var unreadable = new java.util.HashSet<String>();
        for (int i = 7; i < runs.size(); i += 150) {
            admin.hset(keys.run(runs.get(i).runId()), "j", "{not json");
            unreadable.add(runs.get(i).runId());
        }
        int found = 0;
        long start = hgets();
        for (int pass = 0; pass < 60 && found < unreadable.size(); pass++) {
            long before = hgets();
            found += store.quarantineUnreadable();
            assertThat(hgets() - before).as("records read by one pass").isLessThanOrEqualTo(2L * RunStore.QUARANTINE_BATCH);
        }
        assertThat(found).isEqualTo(unreadable.size());
        assertThat(hgets() - start).as("the passes read records (the count above is read right)").isGreaterThan(RunStore.QUARANTINE_BATCH);
        assertThat(admin.smembers(keys.active())).doesNotContainAnyElementsOf(unreadable).hasSize(runs.size() - unreadable.size());
    }

    private long hgets() {
        return calls("hget");
    }

    /** How many times the server ran {@code command}, scripts' own calls included. */
    private long calls(String command) {
        for (var line : admin.info("commandstats").lines().toList()) {
            if (line.startsWith("cmdstat_" + command + ":")) return Long.parseLong(line.replaceAll("^cmdstat_" + command + ":calls=(\\d+),.*", "$1"));
        }
        return 0;
    }

    @Test
    void runsAnOlderTetherWroteAreListedOnceTheAdminStepIndexedThem() {
        var old = RunStateMachine.apply(null, new dev.tether.engine.RunRequest(RunIds.next(), "welcome-email", "q1", Map.of(),
                Instant.now().truncatedTo(ChronoUnit.MILLIS), null, null, null).submitted());
        admin.hset(keys.run(old.runId()), Map.of("v", "1", "t", "0", "w", "", "j", dev.tether.json.Json.write(old)));
        admin.sadd(keys.active(), old.runId());
        var fresh = queue("welcome-email", "q1");
        assertThat(page(ActiveQuery.first(10)).runs()).extracting(RunSnapshot::runId).containsExactly(fresh.runId());

        RedisSetup.run(admin, keys, null);

        assertThat(page(ActiveQuery.first(10)).runs()).extracting(RunSnapshot::runId) // id order (one millisecond's ids: any)
                .containsExactlyElementsOf(java.util.stream.Stream.of(old.runId(), fresh.runId()).sorted().toList());
        end(store.get(old.runId()).orElseThrow()); // the script removes what the admin step wrote
        end(store.get(fresh.runId()).orElseThrow());
        assertThat(admin.zcard(keys.live())).isZero();
    }

    @Test
    void aOneShotViewPagesFromRedisAndMirrorsNothing() {
        var runs = new ArrayList<RunSnapshot>();
        for (int i = 0; i < 25; i++) runs.add(queue("welcome-email", "q1"));
        runs.sort(Comparator.comparing(RunSnapshot::runId)); // ids of one millisecond are in random order
        try (var view = RedisView.oneShot(RedisSettings.parse(server.uri()), GraphCatalog.load(null), Routing.none())) {
            var first = view.active(ActiveQuery.first(10));
            assertThat(first.runs()).extracting(RunSnapshot::runId).containsExactlyElementsOf(runs.subList(0, 10).stream().map(RunSnapshot::runId).toList());
            assertThat(first.next()).isEqualTo(runs.get(9).runId());
            var last = view.active(ActiveQuery.first(10).after(runs.get(19).runId()));
            assertThat(last.runs()).hasSize(5);
            assertThat(last.next()).isNull();
            assertThat(view.registry().size()).as("nothing mirrored").isZero();
        }
    }

    @Test
    void theCommandLinePagesActiveRunsAndSaysHowToGetTheNextPage() throws Exception {
        var runs = new ArrayList<RunSnapshot>();
        for (int i = 0; i < 25; i++) runs.add(queue(i % 5 == 0 ? "book-workflow" : "welcome-email", "q1"));
        runs.sort(Comparator.comparing(RunSnapshot::runId));
        var env = Map.of(RedisSettings.ENV, server.uri());

        var json = CliRun.of(env, "list", "--limit", "10", "--json");
        assertThat(json.exit()).as(json.toString()).isZero();
        var page = dev.tether.json.Json.mapper().readTree(json.out());
        assertThat(page.isArray()).isTrue();
        var ids = new ArrayList<String>();
        page.forEach(r -> ids.add(r.path("runId").asText()));
        assertThat(ids).containsExactlyElementsOf(runs.subList(0, 10).stream().map(RunSnapshot::runId).toList());
        assertThat(json.err().strip()).isEqualTo("More active runs: tether list --limit 10 --json --cursor " + runs.get(9).runId());

        var human = CliRun.of(env, "list", "--limit", "10", "--cursor", runs.get(19).runId());
        assertThat(human.exit()).as(human.toString()).isZero();
        assertThat(human.out()).startsWith("Active graph executions: 5").doesNotContain("More active runs")
                .contains(runs.get(20).runId(), runs.get(24).runId()).doesNotContain(runs.get(19).runId());

        var filtered = CliRun.of(env, "list", "--graph", "book-workflow", "--status", "queued", "--json");
        assertThat(dev.tether.json.Json.mapper().readTree(filtered.out())).hasSize(5);
        assertThat(filtered.err()).isEmpty();

        var bad = CliRun.of(env, "list", "--status", "COMPLETED");
        assertThat(bad.exit()).isEqualTo(dev.tether.cli.ExitCodes.BAD_INPUT);
        assertThat(bad.err().strip()).isEqualTo("tether: COMPLETED is not the status of an active run (add --all for the history)");
    }

    @Test
    void aJsonPageLargerThanOneRequestIsOneArrayOfEveryRunOnceInOrder() throws Exception {
        var runs = new ArrayList<String>();
        for (int i = 0; i < 1_100; i++) runs.add(queue("welcome-email", "q1").runId());
        runs.sort(null);
        var env = Map.of(RedisSettings.ENV, server.uri());

        var whole = CliRun.of(env, "list", "--limit", "1100", "--json"); // three requests of at most 500
        assertThat(whole.exit()).as(whole.err()).isZero();
        assertThat(ids(whole.out())).containsExactlyElementsOf(runs);
        assertThat(whole.err()).as("no next page").isEmpty();

        var part = CliRun.of(env, "list", "--limit", "700", "--json"); // 500, then 200
        assertThat(ids(part.out())).containsExactlyElementsOf(runs.subList(0, 700));
        assertThat(part.err().strip()).endsWith("--cursor " + runs.get(699));
    }

    private static List<String> ids(String json) throws Exception {
        var out = new ArrayList<String>();
        dev.tether.json.Json.mapper().readTree(json).forEach(r -> out.add(r.path("runId").asText()));
        return out;
    }

    /** Every page of {@code q} from its first, checking the shape of each page on the way. */
    private List<String> pageThrough(ActiveQuery q) {
        var out = new ArrayList<String>();
        var at = q;
        for (int pages = 0; ; pages++) {
            assertThat(pages).as("pages of " + q).isLessThan(10_000);
            var page = page(at);
            assertThat(page.runs().size()).isLessThanOrEqualTo(q.limit());
            page.runs().forEach(r -> out.add(r.runId()));
            if (page.next() == null) break;
            assertThat(page.runs()).as("a page before the last is full").hasSize(q.limit());
            assertThat(page.next()).isEqualTo(page.runs().getLast().runId());
            at = at.after(page.next());
        }
        assertThat(out).as("id order").isSortedAccordingTo(Comparator.naturalOrder());
        return out;
    }

    private ActivePage page(ActiveQuery q) {
        return store.activePage(q);
    }

    private ActiveQuery randomQuery() {
        var statuses = EnumSet.noneOf(RunStatus.class);
        for (var s : List.of(RunStatus.QUEUED, RunStatus.RUNNING, RunStatus.CANCELLING)) if (random.nextInt(3) == 0) statuses.add(s);
        var graph = random.nextInt(3) == 0 ? GRAPHS.get(random.nextInt(GRAPHS.size())) : null;
        var queue = random.nextInt(3) == 0 ? QUEUES.get(random.nextInt(QUEUES.size())) : null;
        var worker = random.nextInt(3) == 0 ? WORKERS.get(random.nextInt(WORKERS.size())) : null;
        int limit = random.nextInt(4) == 0 ? 1 + random.nextInt(3) : 1 + random.nextInt(400);
        return new ActiveQuery(statuses, graph, queue, worker, limit, null);
    }

    /** Runs of every graph and queue, in every active state and some ended, through the scripts a deployment uses. */
    private List<RunSnapshot> mixedRuns(int n) {
        var out = new ArrayList<RunSnapshot>();
        for (int i = 0; i < n; i++) {
            var run = queue(GRAPHS.get(random.nextInt(GRAPHS.size())), QUEUES.get(random.nextInt(QUEUES.size())));
            int fate = random.nextInt(10);
            if (fate >= 3) {
                run = RunStateMachine.apply(run, new RunEvent.Started(run.runId(), WORKERS.get(random.nextInt(WORKERS.size())), Instant.now()));
                store.put(run);
                if (fate >= 5) {
                    run = RunStateMachine.apply(run, new RunEvent.NodeStarted(run.runId(), "n1", Instant.now()));
                    store.put(run);
                }
                if (fate == 7) {
                    run = RunStateMachine.apply(run, new RunEvent.CancelRequested(run.runId(), Instant.now(), CancelRequest.DEFAULT));
                    store.put(run);
                }
                if (fate >= 8) run = end(run);
            } else if (fate == 0) {
                run = store.updateQueued(run.runId(), new RunEvent.CancelRequested(run.runId(), Instant.now(), CancelRequest.DEFAULT)).orElseThrow();
            }
            out.add(run);
        }
        return out;
    }

    private RunSnapshot end(RunSnapshot run) {
        if (run.status() == RunStatus.QUEUED) {
            return store.updateQueued(run.runId(), new RunEvent.CancelRequested(run.runId(), Instant.now(), CancelRequest.DEFAULT)).orElseThrow();
        }
        var ended = run.status() == RunStatus.CANCELLING
                ? RunStateMachine.apply(run, new RunEvent.Cancelled(run.runId(), "n1", Instant.now(), false))
                : RunStateMachine.apply(run, new RunEvent.Completed(run.runId(), Instant.now()));
        assertThat(store.put(ended)).isEqualTo(RunStore.Put.ACCEPTED);
        return ended;
    }

    private RunSnapshot queue(String graph, String queue) {
        var request = new dev.tether.engine.RunRequest(RunIds.next(), graph, queue, Map.of("name", "x"),
                Instant.now().truncatedTo(ChronoUnit.MILLIS), null, null, null);
        var queued = RunStateMachine.apply(null, request.submitted());
        assertThat(store.submit(queued, keys.queue(queue), Jobs.fields(request))).isTrue();
        return queued;
    }
}
