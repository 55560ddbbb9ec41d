-- sending -> unknown: no answer (a timeout, a broken connection). The processor may still
-- store the payment, so it stays pinned to that processor and attempt; it is resent
-- unchanged once the lease ends.
-- $1 id, $2 owner, $3 requestedAt, $4 ms until the resend
UPDATE payments
SET state = 'unknown', lease_until = now() + $4::integer * interval '1 millisecond'
WHERE correlation_id = $1 AND owner = $2 AND requested_at = $3 AND state = 'sending'
