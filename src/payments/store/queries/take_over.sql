-- sending|unknown -> unknown: attempts whose sender died (it stopped renewing its row of
-- instances) or whose lease ended (their outcome is unknown and due for a resend). Whoever
-- takes one over cannot know whether an earlier send is still in flight, so a later
-- refusal no longer frees the payment.
-- $1 owner, $2 lease in ms, $3 how many
UPDATE payments p
SET progress.state = 'unknown', progress.owner = $1,
    progress.lease_until = now() + $2::integer * interval '1 millisecond'
FROM (
    SELECT correlation_id FROM payments t
    WHERE (progress).state IN ('sending', 'unknown')
      AND ((progress).lease_until < now() OR NOT EXISTS (
          SELECT 1 FROM instances i WHERE i.owner = (t.progress).owner AND i.alive_until >= now()
      ))
    ORDER BY (progress).lease_until
    LIMIT $3
    FOR UPDATE SKIP LOCKED
) q
WHERE p.correlation_id = q.correlation_id
RETURNING p.correlation_id, p.amount::bigint, (p.progress).processor::text, (p.progress).requested_at
