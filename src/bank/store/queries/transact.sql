-- Applies one transaction atomically and says what happened, in one statement.
-- $1 account id, $2 amount (1..2^63-1), $3 'c' or 'd', $4 description.
--
-- The UPDATE takes the account's row lock, and under concurrency PostgreSQL re-checks its
-- WHERE clause against the newest version of the row (READ COMMITTED), so no debit takes
-- the balance below -limite and no credit overflows it, whatever runs beside it. The
-- comparisons cannot overflow themselves. The ledger row is written in the same
-- statement, while the lock is held, so an account's ledger ids follow the order in which
-- its transactions were applied.
--
-- One row: ('applied', limite, new saldo), or ('insufficient_limit' | 'balance_overflow',
-- limite, saldo) when refused. No row: the account does not exist. Columns of a domain
-- type (sql/bank/01-schema.sql) are read back as their base type.
WITH applied AS (
    UPDATE clientes AS c
       SET saldo = c.saldo + CASE WHEN $3 = 'c' THEN $2 ELSE -$2 END
     WHERE c.id = $1
       AND CASE WHEN $3 = 'c'
                THEN c.saldo <= 9223372036854775807 - $2
                ELSE c.saldo >= $2 - c.limite
           END
    RETURNING c.limite::integer AS limite, c.saldo
),
ledger AS (
    INSERT INTO transacoes (cliente_id, valor, tipo, descricao, realizada_em)
    SELECT $1, $2, $3, $4::text, clock_timestamp() FROM applied
)
SELECT 'applied' AS outcome, limite, saldo FROM applied
UNION ALL
SELECT CASE WHEN $3 = 'c' THEN 'balance_overflow' ELSE 'insufficient_limit' END, limite::integer, saldo
  FROM clientes
 WHERE id = $1 AND NOT EXISTS (SELECT FROM applied)
