-- The processors' last known health, how old it is and when it was given, in ms.
SELECT processor::text, failing, min_response_time,
       (extract(epoch FROM now() - answered_at) * 1000)::bigint,
       (extract(epoch FROM answered_at) * 1000)::bigint
FROM processor_health
WHERE answered_at IS NOT NULL
