-- sending|unknown -> paid: the processor of this very attempt answered 200 or 422.
-- $1 id, $2 processor, $3 requestedAt
UPDATE payments
SET state = 'paid', owner = NULL, lease_until = NULL
WHERE correlation_id = $1 AND processor = $2 AND requested_at = $3
  AND state IN ('sending', 'unknown')
