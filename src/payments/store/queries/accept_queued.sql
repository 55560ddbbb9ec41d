-- Accepts a payment that no processor can take now: it waits in the queue.
-- $1 id, $2 cents
INSERT INTO payments (correlation_id, amount, progress)
VALUES ($1, $2::bigint, ROW('queued', NULL, NULL, NULL, NULL))
ON CONFLICT (correlation_id) DO NOTHING
