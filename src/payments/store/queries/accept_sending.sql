-- Accepts a payment and records its first attempt in the same statement: the processor
-- and requestedAt are chosen, and held by the accepting instance, before anything is sent.
-- A correlationId seen before changes nothing (0 rows): it is answered 2xx and paid once.
-- $1 id, $2 cents, $3 processor, $4 requestedAt, $5 owner, $6 lease in ms
INSERT INTO payments (correlation_id, amount, progress)
VALUES ($1, $2::bigint, ROW('sending', $3::text::processor, $4::timestamptz, $5::uuid,
                            now() + $6::integer * interval '1 millisecond'))
ON CONFLICT (correlation_id) DO NOTHING
