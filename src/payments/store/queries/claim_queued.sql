-- queued -> sending: takes the oldest queued payments accepted at least $6 ago for one new
-- attempt each at $1, skipping any row another instance is claiming at the same moment.
-- $1 processor, $2 requestedAt, $3 owner, $4 lease in ms, $5 how many, $6 least wait in ms
UPDATE payments p
SET progress = ROW('sending', $1::text::processor, $2::timestamptz, $3::uuid,
                   now() + $4::integer * interval '1 millisecond')
FROM (
    SELECT correlation_id FROM payments
    WHERE (progress).state = 'queued'
      AND accepted_at <= now() - $6::integer * interval '1 millisecond'
    ORDER BY accepted_at
    LIMIT $5
    FOR UPDATE SKIP LOCKED
) q
WHERE p.correlation_id = q.correlation_id
RETURNING p.correlation_id, p.amount::bigint
