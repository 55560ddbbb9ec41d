-- What the processor answered, for every instance to read.
-- $1 processor, $2 failing, $3 minResponseTime in ms
UPDATE processor_health
SET failing = $2, min_response_time = $3, answered_at = now()
WHERE processor = $1::text::processor
