-- Stores the payments of a journal segment whose worker is gone (src/payments/journal.rs),
-- each in the queue, unless its correlationId is stored already: the worker stored it
-- before it went, or its client sent it again. Its client had its 202 before, so there is
-- no budget here: the payment is accepted already, and only waits to be stored.
-- $1 ids, $2 cents
-- Returns how many it stored.
WITH inserted AS (
    INSERT INTO payments (correlation_id, amount, progress)
    SELECT journal.id, journal.cents, ROW('queued', NULL, NULL, NULL, NULL)::progress
    FROM unnest($1::uuid[], $2::bigint[]) AS journal (id, cents)
    ON CONFLICT (correlation_id) DO NOTHING
    RETURNING correlation_id
)
SELECT count(*) FROM inserted
