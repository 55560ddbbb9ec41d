-- sending|unknown -> unknown: attempts whose sender died (it stopped renewing its row of
-- instances) or whose lease ended (their outcome is unknown and due for a resend). Whoever
-- takes one over cannot know whether an earlier send is still in flight, so a later
-- refusal no longer frees the payment.
-- $1 owner, $2 lease in ms, $3 how many
UPDATE payments p
SET state = 'unknown', owner = $1,
    lease_until = now() + $2::integer * interval '1 millisecond'
FROM (
    SELECT correlation_id FROM payments t
    WHERE state IN ('sending', 'unknown')
      AND (lease_until < now() OR NOT EXISTS (
          SELECT 1 FROM instances i WHERE i.owner = t.owner AND i.alive_until >= now()
      ))
    ORDER BY lease_until
    LIMIT $3
    FOR UPDATE SKIP LOCKED
) q
WHERE p.correlation_id = q.correlation_id
RETURNING p.correlation_id, p.amount::bigint, p.processor::text, p.requested_at
