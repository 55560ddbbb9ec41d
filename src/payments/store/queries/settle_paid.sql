-- sending|unknown -> paid, for a batch of attempts whose processor answered 200 or 422 (or
-- was found to hold them). One statement settles what a worker learnt in the last few
-- milliseconds: per payment, most of a statement's cost is the statement itself.
-- $1 ids, $2 processors, $3 requestedAts (each attempt's own)
-- Returns how many it settled at default and at fallback (an attempt settled before, by
-- whoever took it over, is not counted again).
--
-- The rows are locked first, in correlation_id order, whatever the batch's order: two
-- instances settling batches that share attempts (one sent them, the other took them over)
-- then at most wait for one another, never in a cycle. An UPDATE ... FROM unnest(...) locks
-- rows in the order its join yields them, the batch's own: two such batches in opposite
-- orders deadlocked, and PostgreSQL aborted one of them after deadlock_timeout.
-- A row settled meanwhile by the other is dropped when its lock is granted: FOR UPDATE
-- checks the conditions again against the row as it is then.
WITH locked AS MATERIALIZED (
  SELECT p.correlation_id
  FROM payments p
  JOIN unnest($1::uuid[], $2::text[]::processor[], $3::timestamptz[]) AS s(id, processor, requested_at)
    ON p.correlation_id = s.id
  WHERE (p.progress).processor = s.processor AND (p.progress).requested_at = s.requested_at
    AND (p.progress).state <> 'paid'
  ORDER BY p.correlation_id
  FOR UPDATE OF p
), settled AS (
  UPDATE payments p
  SET progress.state = 'paid', progress.owner = NULL, progress.lease_until = NULL
  FROM locked
  WHERE p.correlation_id = locked.correlation_id
  RETURNING (p.progress).processor
)
SELECT count(*) FILTER (WHERE processor = 'default'),
       count(*) FILTER (WHERE processor = 'fallback')
FROM settled
