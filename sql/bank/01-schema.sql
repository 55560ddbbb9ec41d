-- The ledger: one row per account and one per applied transaction.
-- Both tables are logged here; sql/bank/profiles/contest.sql makes them UNLOGGED for the benchmark.

CREATE TABLE clientes (
    id integer PRIMARY KEY,
    limite integer NOT NULL CHECK (limite >= 0),
    saldo bigint NOT NULL DEFAULT 0,
    -- The invariant the bank promises, enforced by the database itself: the server's
    -- transaction statement (src/bank/store/queries/transact.sql) never trips it, and nothing
    -- else may.
    CONSTRAINT saldo_within_limite CHECK (saldo >= -limite)
);

-- No primary key: nothing looks a transaction up by id, and every index costs an insert.
-- The id orders an account's transactions, through the one index below.
CREATE TABLE transacoes (
    id bigint GENERATED ALWAYS AS IDENTITY,
    cliente_id integer NOT NULL,
    valor bigint NOT NULL CHECK (valor > 0),
    tipo text NOT NULL CHECK (tipo IN ('c', 'd')),
    descricao text NOT NULL CHECK (char_length(descricao) BETWEEN 1 AND 10),
    realizada_em timestamptz NOT NULL
)
-- Insert-only: vacuum would reclaim nothing here, only burn CPU. PostgreSQL still runs
-- the vacuums that protect against transaction-id wraparound when they are due.
WITH (autovacuum_enabled = off);

-- A statement reads an account's newest transactions: this index hands them over in order.
CREATE INDEX transacoes_newest_first ON transacoes (cliente_id, id DESC);
