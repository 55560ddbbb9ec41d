-- What each processor stored, counted by the requestedAt it was sent; bounds inclusive,
-- each optional.
-- $1 from, $2 to
SELECT (progress).processor::text, count(*), sum(amount)::bigint
FROM payments
WHERE (progress).state = 'paid'
  AND ($1::timestamptz IS NULL OR (progress).requested_at >= $1)
  AND ($2::timestamptz IS NULL OR (progress).requested_at <= $2)
GROUP BY (progress).processor
