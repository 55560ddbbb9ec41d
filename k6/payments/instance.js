// POST /payments on one 2025 instance, closed model: VUS users firing back to back on
// keep-alive connections for DURATION, each payment new (random v4 UUID, 19.90). The
// instance's own accept rate and latency, not the contest's run:
// docs/performance-history.md says how it is started (processors included) and what
// it gave.
import http from 'k6/http';
import { check } from 'k6';
import { uuidv4 } from './common.js';

const BASE_URL = __ENV.BASE_URL || 'http://127.0.0.1:8080';
const JSON_HEADERS = { headers: { 'content-type': 'application/json' } };

export const options = {
  vus: Number(__ENV.VUS || 8),
  duration: __ENV.DURATION || '20s',
  summaryTrendStats: ['avg', 'med', 'p(90)', 'p(99)', 'max'],
  thresholds: { checks: ['rate==1'] },
};

export default function () {
  const body = JSON.stringify({ correlationId: uuidv4(), amount: 19.9 });
  const res = http.post(`${BASE_URL}/payments`, body, JSON_HEADERS);
  check(res, { 'payment is accepted': (r) => r.status === 202 });
}
