-- Applies one transaction atomically and says what happened, in one round trip.
--
-- The UPDATE takes the account's row lock, and its WHERE clause is re-checked against the
-- newest row version under concurrency (READ COMMITTED), so no debit can take the balance
-- below -limite and no credit can overflow it, whatever runs beside it. The ledger row is
-- written while the lock is held, so for one account, ledger ids follow the order in which
-- the transactions were applied.
--
-- outcome is one of: 'applied', 'insufficient_limit', 'balance_overflow', 'no_such_account'.
-- The comparisons are written so that they cannot overflow themselves: p_valor is in
-- 1..2^63-1 and limite in 0..2^31-1.
CREATE FUNCTION transact(
    p_cliente_id integer,
    p_valor bigint,
    p_tipo text,
    p_descricao text,
    OUT outcome text,
    OUT limite integer,
    OUT saldo bigint
)
LANGUAGE plpgsql
AS $$
BEGIN
    IF p_tipo = 'c' THEN
        UPDATE clientes AS c
           SET saldo = c.saldo + p_valor
         WHERE c.id = p_cliente_id
           AND c.saldo <= 9223372036854775807 - p_valor
        RETURNING c.limite, c.saldo INTO limite, saldo;
    ELSE
        UPDATE clientes AS c
           SET saldo = c.saldo - p_valor
         WHERE c.id = p_cliente_id
           AND c.saldo >= p_valor - c.limite
        RETURNING c.limite, c.saldo INTO limite, saldo;
    END IF;

    IF FOUND THEN
        INSERT INTO transacoes (cliente_id, valor, tipo, descricao, realizada_em)
        VALUES (p_cliente_id, p_valor, p_tipo, p_descricao, clock_timestamp());
        outcome := 'applied';
    ELSIF NOT EXISTS (SELECT FROM clientes AS c WHERE c.id = p_cliente_id) THEN
        outcome := 'no_such_account';
    ELSIF p_tipo = 'c' THEN
        outcome := 'balance_overflow';
    ELSE
        outcome := 'insufficient_limit';
    END IF;
END;
$$;
