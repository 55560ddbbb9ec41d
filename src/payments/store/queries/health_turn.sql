-- Takes this instance's turn to ask $1 for its health: at most one caller per window
-- across every instance, since the processor allows one call per window to all callers.
-- $1 processor, $2 window in ms
UPDATE processor_health SET asked_at = now()
WHERE processor = $1::text::processor AND asked_at <= now() - $2::integer * interval '1 millisecond'
