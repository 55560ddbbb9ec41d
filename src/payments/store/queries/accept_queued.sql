-- Accepts a payment that no processor can take now: it waits in the queue.
-- Only in time: the client gives up on its request after a while (the load generator after
-- 1.5 s), and a payment stored after that is paid without the client ever seeing it
-- accepted. So the row goes in only if PostgreSQL gets to it within $3 ms (what was left
-- of the accept's budget when the statement was sent) of taking the statement: one that
-- waited past that, for a lock or anything else, stores nothing. Both instants are
-- PostgreSQL's, so no other machine's clock comes into it. now() is when PostgreSQL took
-- the statement's Bind message, which began its transaction, before it waited for the
-- table's lock; statement_timestamp() is taken again at Execute, after that wait, and
-- does not see it. Neither sees the time a statement queued on a shared connection
-- (--pool-sharing shared) behind others waits before PostgreSQL takes it.
-- $1 id, $2 cents, $3 ms left of the accept's budget
-- Returns whether it was in time, and whether it stored the payment (in time but not
-- stored: a repeat).
WITH arrival AS MATERIALIZED (
    SELECT clock_timestamp() <= now() + $3::integer * interval '1 millisecond' AS in_time
), inserted AS (
    INSERT INTO payments (correlation_id, amount, progress)
    SELECT $1::uuid, $2::bigint, ROW('queued', NULL, NULL, NULL, NULL)::progress
    FROM arrival WHERE in_time
    ON CONFLICT (correlation_id) DO NOTHING
    RETURNING correlation_id
)
SELECT in_time, EXISTS (SELECT FROM inserted) FROM arrival
