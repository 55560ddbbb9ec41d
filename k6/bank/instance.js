// One endpoint of one instance, closed model: VUS users firing back to back on keep-alive
// connections for DURATION. ENDPOINT=transaction (random credits and debits of 1..1000 on
// accounts 1..5) or ENDPOINT=statement. The instance's own speed, not the contest's run:
// see docs/performance-history.md for how it is started and what it gave.
import http from 'k6/http';
import { check } from 'k6';

const BASE_URL = __ENV.BASE_URL || 'http://127.0.0.1:8080';
const ENDPOINT = __ENV.ENDPOINT || 'transaction';
const JSON_HEADERS = { headers: { 'content-type': 'application/json' } };

export const options = {
  vus: Number(__ENV.VUS || 8),
  duration: __ENV.DURATION || '20s',
  summaryTrendStats: ['avg', 'med', 'p(90)', 'p(99)', 'max'],
  thresholds: { checks: ['rate==1'] },
};

function account() {
  return 1 + Math.floor(Math.random() * 5);
}

export default function () {
  if (ENDPOINT === 'statement') {
    const res = http.get(`${BASE_URL}/clientes/${account()}/extrato`);
    check(res, { 'statement is 200': (r) => r.status === 200 });
    return;
  }
  const body = JSON.stringify({
    valor: 1 + Math.floor(Math.random() * 1000),
    tipo: Math.random() < 0.5 ? 'c' : 'd',
    descricao: 'bench',
  });
  const res = http.post(`${BASE_URL}/clientes/${account()}/transacoes`, body, JSON_HEADERS);
  check(res, { 'transaction is 200 or 422': (r) => r.status === 200 || r.status === 422 });
}
