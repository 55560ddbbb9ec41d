// POST /payments at a steady pace, open model: RATE new payments a second (random v4 UUID,
// 19.90) for DURATION, against BASE_URL. Not the contest's run: a fixed, small load under
// which two binaries, or the stack and the floor, are compared one after the other, and what
// each payment costs is read from /proc (docs/performance.md, "Wake-ups per payment", says
// how it is started and what it gave).
import http from 'k6/http';
import { check } from 'k6';
import { uuidv4 } from './common.js';

const BASE_URL = __ENV.BASE_URL || 'http://127.0.0.1:9999';
const JSON_HEADERS = { headers: { 'content-type': 'application/json' } };

export const options = {
  scenarios: {
    steady: {
      executor: 'constant-arrival-rate',
      rate: Number(__ENV.RATE || 300),
      timeUnit: '1s',
      duration: __ENV.DURATION || '30s',
      preAllocatedVUs: 50,
    },
  },
  summaryTrendStats: ['med', 'p(90)', 'p(99)', 'max'],
  thresholds: { checks: ['rate==1'] },
};

export default function () {
  const body = JSON.stringify({ correlationId: uuidv4(), amount: 19.9 });
  const res = http.post(`${BASE_URL}/payments`, body, JSON_HEADERS);
  check(res, { 'payment is accepted': (r) => r.status === 202 || r.status === 200 });
}
