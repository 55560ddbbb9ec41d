-- Durable profile: the ledger is written ahead to the log, so an acknowledged transaction
-- survives a crash (with synchronous_commit on). The tables are created logged already;
-- saying so here keeps the two profiles symmetric and makes the choice explicit.
ALTER TABLE clientes SET LOGGED;
ALTER TABLE transacoes SET LOGGED;
