-- sending -> queued: the attempt's own answer was a refusal (500), so the processor
-- stored nothing and never will; the payment may now go anywhere. Only the instance that
-- sent it, and sent it once (state still 'sending'), may conclude that.
-- $1 id, $2 owner, $3 requestedAt
UPDATE payments
SET progress = ROW('queued', NULL, NULL, NULL, NULL)
WHERE correlation_id = $1 AND (progress).owner = $2 AND (progress).requested_at = $3
  AND (progress).state = 'sending'
