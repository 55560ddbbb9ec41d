// Overload, open model: RATE requests per second (default 6000) for a minute, far above
// what the stack serves, then 200 per second for half a minute, starting five seconds
// after the overload stops. During the overload the stack may refuse with a fast 503 but
// must keep answering, and every answer it gives must be consistent; once the overload is
// over its latency must be back to normal (the recovery thresholds). Run it against a
// stack that this machine can overload: `rinha bench overload --cpu-scale 0.25`.
import http from 'k6/http';
import { check } from 'k6';
import {
  LIMITS, inconsistencies, randomAccount, randomDescription, statement, summarize, transact,
} from './common.js';

const RATE = Number(__ENV.RATE || 6000);
const JSON_POST = { 'content-type': 'application/json' };
const OVERLOADED = { headers: JSON_POST, responseCallback: http.expectedStatuses(200, 422, 503) };
const NORMAL = { headers: JSON_POST, responseCallback: http.expectedStatuses(200, 422) };

export const options = {
  summaryTrendStats: ['avg', 'min', 'med', 'p(90)', 'p(99)', 'max'],
  scenarios: {
    overload: {
      executor: 'constant-arrival-rate', rate: RATE, timeUnit: '1s', duration: '60s',
      preAllocatedVUs: 200, maxVUs: 2000, exec: 'overloaded',
    },
    recovery: {
      executor: 'constant-arrival-rate', rate: 200, timeUnit: '1s', duration: '30s', startTime: '65s',
      preAllocatedVUs: 20, maxVUs: 200, exec: 'recovered',
    },
  },
  thresholds: {
    checks: ['rate==1'],
    inconsistencies: ['count==0'],
    'http_req_duration{scenario:recovery}': ['p(99)<50', 'max<250'],
    'http_req_failed{scenario:recovery}': ['rate==0'],
  },
};

// Two debits for each credit, one statement in thirty: the contest's mix.
function request(params, accepted) {
  const id = randomAccount();
  const draw = Math.random();
  if (draw < 1 / 30) {
    const res = statement(id);
    check(res, { [`statement is ${accepted.join(', ')}`]: (r) => accepted.includes(r.status) });
    return;
  }
  const tipo = draw < 21 / 30 ? 'd' : 'c';
  const res = transact(id, 1 + Math.floor(Math.random() * 10000), tipo, randomDescription(), params);
  check(res, {
    [`transaction is ${accepted.join(', ')}`]: (r) => accepted.includes(r.status),
    'an applied transaction keeps the balance within the limit': (r) => {
      if (r.status !== 200) return true;
      const body = r.json();
      const ok = body.limite === LIMITS[id] && body.saldo >= -body.limite;
      if (!ok) inconsistencies.add(1);
      return ok;
    },
  });
}

export function overloaded() {
  request(OVERLOADED, [200, 422, 503]);
}

export function recovered() {
  request(NORMAL, [200, 422]);
}

export function handleSummary(data) {
  return summarize(data);
}
