-- This instance is alive for the next $2 ms.
-- $1 owner, $2 ms
INSERT INTO instances (owner, alive_until)
VALUES ($1, now() + $2::integer * interval '1 millisecond')
ON CONFLICT (owner) DO UPDATE SET alive_until = excluded.alive_until
