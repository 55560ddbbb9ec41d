-- The ledger: one row per account and one per applied transaction.
-- Both tables are logged here; sql/profiles/contest.sql makes them UNLOGGED for the benchmark.

CREATE TABLE clientes (
    id integer PRIMARY KEY,
    limite integer NOT NULL CHECK (limite >= 0),
    saldo bigint NOT NULL DEFAULT 0,
    -- The invariant the bank promises, enforced by the database itself: transact() never
    -- trips it, and nothing else may.
    CONSTRAINT saldo_within_limite CHECK (saldo >= -limite)
);

CREATE TABLE transacoes (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    cliente_id integer NOT NULL,
    valor bigint NOT NULL CHECK (valor > 0),
    tipo text NOT NULL CHECK (tipo IN ('c', 'd')),
    descricao text NOT NULL CHECK (char_length(descricao) BETWEEN 1 AND 10),
    realizada_em timestamptz NOT NULL
);

-- A statement reads an account's newest transactions: this index hands them over in order.
CREATE INDEX transacoes_newest_first ON transacoes (cliente_id, id DESC);
