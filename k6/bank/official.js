// The public acceptance run of 2024/Q1 (../shared/spec/2024q1.md), replayed as an open
// model: every request a new connection (noConnectionReuse), arrival rates fixed whatever
// the answers' speed. 0 s: the start-up validations; 3 s: per-account validations and the
// unknown account; 6 s: four minutes of load. About 61,500 requests in about 246 s.
import http from 'k6/http';
import exec from 'k6/execution';
import { check, group } from 'k6';
import {
  BASE_URL, LIMITS, transact, statement, debit, credit, readStatement, summarize,
} from './common.js';

export { debit, credit, readStatement };

const INVALID = { responseCallback: http.expectedStatuses(400, 422), headers: { 'content-type': 'application/json' } };
const NOT_FOUND = { responseCallback: http.expectedStatuses(404) };

function ramp(target) {
  return {
    executor: 'ramping-arrival-rate',
    startTime: '6s',
    startRate: 1,
    timeUnit: '1s',
    preAllocatedVUs: 20,
    maxVUs: 400,
    stages: [
      { target, duration: '2m' },
      { target, duration: '2m' },
    ],
  };
}

export const options = {
  noConnectionReuse: true,
  summaryTrendStats: ['avg', 'min', 'med', 'p(90)', 'p(99)', 'max'],
  scenarios: {
    startup: { executor: 'per-vu-iterations', vus: 1, iterations: 1, exec: 'startup' },
    accounts: { executor: 'per-vu-iterations', vus: 5, iterations: 1, startTime: '3s', exec: 'account' },
    unknown: { executor: 'per-vu-iterations', vus: 1, iterations: 1, startTime: '3s', exec: 'unknown' },
    debits: Object.assign(ramp(220), { exec: 'debit' }),
    credits: Object.assign(ramp(110), { exec: 'credit' }),
    statements: Object.assign(ramp(10), { exec: 'readStatement' }),
  },
  thresholds: {
    checks: ['rate==1'],
    inconsistencies: ['count==0'],
    // The contest's rule: a response counts against you past 2 % at 250 ms or longer.
    http_req_duration: ['p(98)<250'],
  },
};

function totalOf(res) {
  return res.status === 200 ? res.json().saldo.total : null;
}

// 25 simultaneous debits of 1 on account 1, then 25 credits; the total follows exactly.
export function startup() {
  group('startup', () => {
    const request = (tipo, descricao) => ({
      method: 'POST',
      url: `${BASE_URL}/clientes/1/transacoes`,
      body: JSON.stringify({ valor: 1, tipo, descricao }),
      params: { headers: { 'content-type': 'application/json' } },
    });
    const debits = http.batch(Array.from({ length: 25 }, () => request('d', 'validacao')));
    check(debits, { 'the 25 debits are 200': (rs) => rs.every((r) => r.status === 200) });
    check(statement(1), { 'the total after 25 debits is -25': (r) => totalOf(r) === -25 });
    const credits = http.batch(Array.from({ length: 25 }, () => request('c', 'validacao')));
    check(credits, { 'the 25 credits are 200': (rs) => rs.every((r) => r.status === 200) });
    check(statement(1), { 'the total after 25 credits is 0': (r) => totalOf(r) === 0 });
  });
}

// Each account's sequence, one user per account, all five at once. (VU numbers are shared
// by every scenario; the scenario's own iteration number is 0 to 4 here.)
export function account() {
  const id = 1 + exec.scenario.iterationInTest;
  const limit = LIMITS[id];
  group('account', () => {
    check(statement(id), {
      'the statement shows the limit and a zero total': (r) => r.status === 200
        && r.json().saldo.limite === limit && r.json().saldo.total === 0,
    });
    check(transact(id, 1, 'c', 'toma'), {
      'credit toma is 200 with limit and balance': (r) => r.status === 200
        && r.json().limite === limit && r.json().saldo === 1,
    });
    check(transact(id, 1, 'd', 'devolve'), {
      'debit devolve is 200 with limit and balance': (r) => r.status === 200
        && r.json().limite === limit && r.json().saldo === 0,
    });
    check(statement(id), {
      'the statement lists devolve then toma': (r) => r.status === 200
        && r.json().ultimas_transacoes[0].descricao === 'devolve'
        && r.json().ultimas_transacoes[1].descricao === 'toma',
    });
    const danada = transact(id, 1, 'c', 'danada');
    check(danada, { 'credit danada is 200': (r) => r.status === 200 });
    const total = danada.status === 200 ? danada.json().saldo : null;
    const reads = http.batch(Array.from({ length: 4 }, () => ['GET', `${BASE_URL}/clientes/${id}/extrato`]));
    check(reads, {
      'four simultaneous statements show danada and its total': (rs) => rs.every((r) => r.status === 200
        && r.json().ultimas_transacoes[0].descricao === 'danada' && r.json().saldo.total === total),
    });
    const invalid = [
      { valor: 1.2, tipo: 'd', descricao: 'devolve' },
      { valor: 1, tipo: 'x', descricao: 'devolve' },
      { valor: 1, tipo: 'c', descricao: '123456789 123456789 12345' },
      { valor: 1, tipo: 'c', descricao: '' },
      { valor: 1, tipo: 'c', descricao: null },
    ];
    for (const body of invalid) {
      const res = http.post(`${BASE_URL}/clientes/${id}/transacoes`, JSON.stringify(body), INVALID);
      check(res, { 'an invalid transaction is 422 or 400': (r) => r.status === 422 || r.status === 400 });
    }
  });
}

export function unknown() {
  const res = http.get(`${BASE_URL}/clientes/6/extrato`, NOT_FOUND);
  check(res, { 'account 6 is 404': (r) => r.status === 404 });
}

export function handleSummary(data) {
  return summarize(data);
}
