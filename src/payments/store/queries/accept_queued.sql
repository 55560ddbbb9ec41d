-- Accepts a payment that no processor can take now: it waits in the queue.
-- $1 id, $2 cents
INSERT INTO payments (correlation_id, amount, state)
VALUES ($1, $2::bigint, 'queued')
ON CONFLICT (correlation_id) DO NOTHING
