-- Edition 2025: every accepted payment and the attempt that pays it.
-- Both tables are logged here; sql/payments/profiles/contest.sql makes them UNLOGGED.
--
-- A payment's life (src/payments/store/mod.rs holds the one statement of each transition):
--   queued  accepted, no attempt yet, or its last attempt was refused (500): free to go to
--           either processor;
--   sending an attempt at `processor` with `requested_at` is recorded and being sent by
--           `owner`, which holds it until `lease_until`;
--   unknown that attempt's outcome is not known (a timeout, a lost connection, a proxy's
--           502/503/504, an owner that died): it may be stored there, so it is only ever
--           resent, unchanged, to the same processor until that processor says it is stored;
--   paid    the processor stored it (200, or 422 for a duplicate: stored before).
-- The summary counts `paid` rows by `requested_at`: the instant the processor counts them by.

-- Every rule is a type's rather than a CHECK constraint of the table: PostgreSQL reads a
-- table's CHECK constraints back from their stored text and plans them again on every
-- INSERT or UPDATE, where a type's rules are read once per connection. The CHECKs cost
-- PostgreSQL about 15 % more per accepting INSERT (63 against 55 µs,
-- docs/performance-history.md).
-- The rules that tie a state to the fields it needs span several fields, so a payment's
-- progress is one value of a composite type, and the domain over it holds those rules.
CREATE TYPE payment_state AS ENUM ('queued', 'sending', 'unknown', 'paid');
CREATE TYPE processor AS ENUM ('default', 'fallback');
CREATE DOMAIN cents AS bigint CHECK (VALUE > 0);

CREATE TYPE progress_fields AS (
    state payment_state,
    processor processor,
    -- The requestedAt sent with the attempt, to the millisecond, exactly as sent.
    requested_at timestamptz,
    owner uuid,
    lease_until timestamptz
);
CREATE DOMAIN progress AS progress_fields NOT NULL CHECK (
    (VALUE).state IS NOT NULL
    -- An attempt names its processor and instant; a queued payment has neither.
    AND ((VALUE).state = 'queued') = ((VALUE).processor IS NULL AND (VALUE).requested_at IS NULL)
    AND ((VALUE).processor IS NULL) = ((VALUE).requested_at IS NULL)
    -- Only a payment being sent or resent is held by an instance.
    AND ((VALUE).state IN ('sending', 'unknown')) = ((VALUE).owner IS NOT NULL AND (VALUE).lease_until IS NOT NULL)
    AND ((VALUE).owner IS NULL) = ((VALUE).lease_until IS NULL)
);

CREATE TABLE payments (
    correlation_id uuid PRIMARY KEY,
    amount cents NOT NULL,
    progress progress,
    accepted_at timestamptz NOT NULL DEFAULT now()
)
-- Never analyzed by autovacuum: every statement here is prepared with its one plan, so a
-- fresh sample changes nothing it does, and sampling the growing table is a burst of CPU
-- that stalls every statement behind it. By default (a tenth of the table changed) that was
-- every 10 s of the final (docs/performance-history.md); at twice the table's size, five
-- times in a final, the last at 183 s, 0.12 s of CPU at once against a quota of 0.05 s per
-- 100 ms: PostgreSQL was held back and the accepts of that moment waited up to 100 ms
-- (docs/performance.md). Vacuum still runs, and removes what each settle leaves behind.
WITH (autovacuum_analyze_threshold = 2147483647);

-- The queue, oldest first, and the leases that may expire: both small, whatever the table.
CREATE INDEX payments_queued ON payments (accepted_at) WHERE (progress).state = 'queued';
CREATE INDEX payments_leased ON payments (((progress).lease_until))
    WHERE (progress).state IN ('sending', 'unknown');
-- The summary's window: the contest's checker asks every 10 s for what was paid in a window
-- of the last seconds. Without this index each call read the whole table, a spike of
-- PostgreSQL's CPU that grew with every payment (docs/performance-history.md).
CREATE INDEX payments_paid ON payments (((progress).requested_at))
    WHERE (progress).state = 'paid';

-- The instances alive: each renews its row several times a second while it runs. An
-- attempt whose sender stopped renewing is taken over at once, without waiting for its
-- lease to end: what the dead instance had sent is found and recorded within about a
-- second, before the checker's window reaches it.
CREATE TABLE instances (
    owner uuid PRIMARY KEY,
    alive_until timestamptz NOT NULL
);

-- What the instances know of each processor's health, and when one of them last asked:
-- the processors allow one health call per 5 s across all callers, so the instances take
-- turns through this row instead of each asking on its own.
CREATE TABLE processor_health (
    processor processor PRIMARY KEY,
    asked_at timestamptz NOT NULL DEFAULT '-infinity',
    failing boolean,
    min_response_time integer,
    answered_at timestamptz
);
INSERT INTO processor_health (processor) VALUES ('default'), ('fallback');

-- Every statement of the instances finds its rows through an index, except the summary,
-- which reads the table whole. Before a run the table is purged (TRUNCATE), and a
-- statement prepared against an empty table would keep scanning it whole as it grows
-- to hundreds of thousands of rows (seen: a settle batch at 2 ms instead of 0.1 ms).
DO $$
BEGIN
    EXECUTE format('ALTER DATABASE %I SET enable_seqscan = off', current_database());
END
$$;
