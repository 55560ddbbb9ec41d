-- Accepts a payment and records its first attempt in the same statement: the processor
-- and requestedAt are chosen, and held by the accepting instance, before anything is sent.
-- A correlationId seen before changes nothing: it is answered 2xx and paid once.
-- Only in time: the row goes in only if PostgreSQL gets to it within $7 ms of taking the
-- statement; otherwise nothing is stored (see accept_queued.sql for why and how).
-- $1 id, $2 cents, $3 processor, $4 requestedAt, $5 owner, $6 lease in ms,
-- $7 ms left of the accept's budget
-- Returns whether it was in time, and whether it stored the payment (in time but not
-- stored: a repeat).
WITH arrival AS MATERIALIZED (
    SELECT clock_timestamp() <= now() + $7::integer * interval '1 millisecond' AS in_time
), inserted AS (
    INSERT INTO payments (correlation_id, amount, progress)
    SELECT $1::uuid, $2::bigint,
           ROW('sending', $3::text::processor, $4::timestamptz, $5::uuid,
               now() + $6::integer * interval '1 millisecond')::progress
    FROM arrival WHERE in_time
    ON CONFLICT (correlation_id) DO NOTHING
    RETURNING correlation_id
)
SELECT in_time, EXISTS (SELECT FROM inserted) FROM arrival
