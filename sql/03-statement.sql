-- An account's statement in one round trip and one snapshot: the balance and up to ten
-- newest transactions, newest first. An account without transactions gives one row whose
-- transaction columns are NULL; an unknown account gives no row.
CREATE FUNCTION statement(p_cliente_id integer)
RETURNS TABLE (
    limite integer,
    saldo bigint,
    data_extrato timestamptz,
    valor bigint,
    tipo text,
    descricao text,
    realizada_em timestamptz
)
LANGUAGE sql
STABLE
AS $$
    SELECT c.limite, c.saldo, now(), t.valor, t.tipo, t.descricao, t.realizada_em
      FROM clientes AS c
      LEFT JOIN LATERAL (
            SELECT tr.id, tr.valor, tr.tipo, tr.descricao, tr.realizada_em
              FROM transacoes AS tr
             WHERE tr.cliente_id = c.id
             ORDER BY tr.id DESC
             LIMIT 10
      ) AS t ON true
     WHERE c.id = p_cliente_id
     ORDER BY t.id DESC;
$$;
