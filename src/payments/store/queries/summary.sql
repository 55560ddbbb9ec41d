-- What each processor stored, counted by the requestedAt it was sent; bounds inclusive,
-- each optional (NULL: unbounded). The bounds are COALESCEd rather than tested for NULL so
-- that the one plan prepared for every call reads the window through payments_paid.
-- The sum is a numeric, and goes out as its exact text: a total of cents passes a bigint's
-- range (9.2e18) after a few thousand of the largest amounts, where `::bigint` failed the
-- whole summary; tokio-postgres reads a numeric only through another crate.
-- $1 from, $2 to
SELECT (progress).processor::text, count(*), sum(amount)::text
FROM payments
WHERE (progress).state = 'paid'
  AND (progress).requested_at BETWEEN COALESCE($1::timestamptz, '-infinity')
                                  AND COALESCE($2::timestamptz, 'infinity')
GROUP BY (progress).processor
