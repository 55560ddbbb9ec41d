// What both scenarios share: the accounts, the requests, and the checks on each answer.
import http from 'k6/http';
import { check } from 'k6';
import { Counter } from 'k6/metrics';

export const BASE_URL = __ENV.BASE_URL || 'http://localhost:9999';
export const LIMITS = { 1: 100000, 2: 80000, 3: 1000000, 4: 10000000, 5: 500000 };

// Answers that break the bank's promises: a balance below -limite, a wrong limit, a
// statement longer than ten. Zero is the only passing count.
export const inconsistencies = new Counter('inconsistencies');

const JSON_POST = { headers: { 'content-type': 'application/json' } };
const DEBIT = Object.assign({ responseCallback: http.expectedStatuses(200, 422) }, JSON_POST);
const ALPHANUMERIC = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

export function randomAccount() {
  return 1 + Math.floor(Math.random() * 5);
}

export function randomDescription() {
  let text = '';
  for (let i = 0; i < 10; i++) {
    text += ALPHANUMERIC[Math.floor(Math.random() * ALPHANUMERIC.length)];
  }
  return text;
}

export function transact(id, valor, tipo, descricao, params) {
  const body = JSON.stringify({ valor, tipo, descricao });
  return http.post(`${BASE_URL}/clientes/${id}/transacoes`, body, params || JSON_POST);
}

export function statement(id) {
  return http.get(`${BASE_URL}/clientes/${id}/extrato`, { tags: { name: 'extrato' } });
}

function json(res) {
  try {
    return res.json();
  } catch (e) {
    return null;
  }
}

// A 200 to a transaction must carry the account's limit and a balance within it.
function consistentBalance(id, res) {
  const body = json(res);
  const ok = body !== null && body.limite === LIMITS[id] && Number.isInteger(body.saldo) && body.saldo >= -body.limite;
  if (!ok) inconsistencies.add(1);
  return ok;
}

export function debit() {
  const id = randomAccount();
  const res = transact(id, 1 + Math.floor(Math.random() * 10000), 'd', randomDescription(), DEBIT);
  check(res, {
    'debit is 200 or 422': (r) => r.status === 200 || r.status === 422,
    'debit keeps the balance within the limit': (r) => r.status !== 200 || consistentBalance(id, r),
  });
}

export function credit() {
  const id = randomAccount();
  const res = transact(id, 1 + Math.floor(Math.random() * 10000), 'c', randomDescription());
  check(res, {
    'credit is 200': (r) => r.status === 200,
    'credit answers the limit and balance': (r) => r.status !== 200 || consistentBalance(id, r),
  });
}

export function readStatement() {
  const id = randomAccount();
  const res = statement(id);
  check(res, {
    'statement is 200': (r) => r.status === 200,
    'statement is consistent': (r) => {
      const body = json(r);
      const ok = body !== null && body.saldo.limite === LIMITS[id] && body.saldo.total >= -body.saldo.limite
        && Array.isArray(body.ultimas_transacoes) && body.ultimas_transacoes.length <= 10;
      if (!ok) inconsistencies.add(1);
      return ok;
    },
  });
}

// Writes the whole k6 summary as JSON where SUMMARY says, and a few lines to stdout.
export function summarize(data) {
  const duration = data.metrics.http_req_duration.values;
  const lines = [
    `requests ${data.metrics.http_reqs.values.count}`,
    `checks failed ${data.metrics.checks.values.fails}`,
    `inconsistencies ${data.metrics.inconsistencies ? data.metrics.inconsistencies.values.count : 0}`,
    `latency p50 ${duration.med.toFixed(2)} ms, p99 ${duration['p(99)'].toFixed(2)} ms, max ${duration.max.toFixed(2)} ms`,
  ];
  const out = { stdout: lines.join('\n') + '\n' };
  out[__ENV.SUMMARY || 'summary.json'] = JSON.stringify(data, null, 2);
  return out;
}
