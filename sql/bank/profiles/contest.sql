-- Contest profile: the ledger skips the write-ahead log. Writes cost less, and a crash of
-- PostgreSQL empties both tables (acknowledged transactions included). For benchmarks only.
-- transacoes goes first: a logged table may not reference an unlogged one, and this order
-- stays valid if a foreign key is ever added.
ALTER TABLE transacoes SET UNLOGGED;
ALTER TABLE clientes SET UNLOGGED;
