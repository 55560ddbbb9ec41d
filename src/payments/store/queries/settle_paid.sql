-- sending|unknown -> paid, for a batch of attempts whose processor answered 200 or 422 (or
-- was found to hold them). One statement settles what a worker learnt in the last few
-- milliseconds: per payment, most of a statement's cost is the statement itself.
-- $1 ids, $2 processors, $3 requestedAts (each attempt's own)
-- Returns how many it settled at default and at fallback (an attempt settled before, by
-- whoever took it over, is not counted again).
WITH settled AS (
  UPDATE payments p
  SET progress.state = 'paid', progress.owner = NULL, progress.lease_until = NULL
  FROM unnest($1::uuid[], $2::text[]::processor[], $3::timestamptz[]) AS s(id, processor, requested_at)
  WHERE p.correlation_id = s.id AND (p.progress).processor = s.processor
    AND (p.progress).requested_at = s.requested_at AND (p.progress).state <> 'paid'
  RETURNING (p.progress).processor
)
SELECT count(*) FILTER (WHERE processor = 'default'),
       count(*) FILTER (WHERE processor = 'fallback')
FROM settled
