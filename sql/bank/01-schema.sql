-- The ledger: one row per account and one per applied transaction.
-- Both tables are logged here; sql/bank/profiles/contest.sql makes them UNLOGGED for the benchmark.
--
-- A rule about one column is its type's (a domain) rather than a CHECK constraint of its
-- table: PostgreSQL reads a table's CHECK constraints back from their stored text and plans
-- them again on every INSERT or UPDATE, where a domain's rules are read once per connection.
-- With the four rules below as CHECK constraints, PostgreSQL spent a quarter more per
-- transaction (76 against 61 µs, docs/performance-history.md). The one rule about two
-- columns stays a CHECK.

CREATE DOMAIN limite AS integer CHECK (VALUE >= 0);
CREATE DOMAIN valor AS bigint CHECK (VALUE > 0);
CREATE DOMAIN tipo AS text CHECK (VALUE IN ('c', 'd'));
CREATE DOMAIN descricao AS text CHECK (char_length(VALUE) BETWEEN 1 AND 10);

CREATE TABLE clientes (
    id integer PRIMARY KEY,
    limite limite NOT NULL,
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
    valor valor NOT NULL,
    tipo tipo NOT NULL,
    descricao descricao NOT NULL,
    realizada_em timestamptz NOT NULL
)
-- Insert-only: vacuum would reclaim nothing here, only burn CPU. PostgreSQL still runs
-- the vacuums that protect against transaction-id wraparound when they are due.
WITH (autovacuum_enabled = off);

-- A statement reads an account's newest transactions: this index hands them over in order.
CREATE INDEX transacoes_newest_first ON transacoes (cliente_id, id DESC);
