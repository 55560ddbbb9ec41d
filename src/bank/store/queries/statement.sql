-- An account's statement in one statement, hence one snapshot: its limit and balance, when
-- the statement was taken, and up to ten newest transactions, newest first.
-- $1 account id.
--
-- An account without transactions gives one row whose transaction columns are NULL; an
-- unknown account gives no row. The index transacoes_newest_first hands the ten over in
-- order.
SELECT c.limite::integer, c.saldo, now() AS data_extrato,
       t.valor::bigint, t.tipo::text, t.descricao::text, t.realizada_em
  FROM clientes AS c
  LEFT JOIN LATERAL (
        SELECT tr.id, tr.valor, tr.tipo, tr.descricao, tr.realizada_em
          FROM transacoes AS tr
         WHERE tr.cliente_id = c.id
         ORDER BY tr.id DESC
         LIMIT 10
  ) AS t ON true
 WHERE c.id = $1
 ORDER BY t.id DESC
