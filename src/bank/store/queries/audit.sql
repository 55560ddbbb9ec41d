-- The ledger audit: every account whose balance is not the sum of its transactions, or is
-- below -limite. No row: the books balance.
SELECT c.id, c.limite::integer, c.saldo, COALESCE(l.total, 0)::text AS ledger
  FROM clientes AS c
  LEFT JOIN (
        SELECT cliente_id, SUM(CASE WHEN tipo = 'c' THEN valor ELSE -valor END) AS total
          FROM transacoes
         GROUP BY cliente_id
  ) AS l ON l.cliente_id = c.id
 WHERE c.saldo <> COALESCE(l.total, 0) OR c.saldo < -c.limite
 ORDER BY c.id
