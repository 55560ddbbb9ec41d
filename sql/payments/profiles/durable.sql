-- Durable profile: the payments are written ahead to the log, so an accepted payment and
-- every recorded attempt survive a crash of PostgreSQL (with synchronous_commit on). The
-- tables are created logged already; saying so keeps the two profiles symmetric.
ALTER TABLE payments SET LOGGED;
ALTER TABLE processor_health SET LOGGED;
ALTER TABLE instances SET LOGGED;
