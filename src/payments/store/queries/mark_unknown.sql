-- sending -> unknown: no answer (a timeout, a broken connection), or one that is not the
-- processor's own (a proxy's 502, 503 or 504). The processor may still store the payment,
-- so it stays pinned to that processor and attempt; it is resent unchanged once the lease
-- ends.
-- $1 id, $2 owner, $3 requestedAt, $4 ms until the resend
UPDATE payments
SET progress.state = 'unknown',
    progress.lease_until = now() + $4::integer * interval '1 millisecond'
WHERE correlation_id = $1 AND (progress).owner = $2 AND (progress).requested_at = $3
  AND (progress).state = 'sending'
