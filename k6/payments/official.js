// The official test of 2025 (../shared/spec/2025.md, "The official test"), kept here so that
// nothing is fetched at run time. SCHEDULE=preview (the published 60 s script, the default)
// or final (300 s, settings changing every 30 s); outage is ours, not the contest's: both
// processors fail for 30 s under the preview's load, then recover. MAX_REQUESTS: the most
// VUs (550 for the preview and the outage, 600 for the final). Each VU posts one payment of 19.90 with a 1.5 s timeout, then
// sleeps 1 s; a 2xx is a success. Every 10 s one VU compares our summary with both
// processors' admin summaries over [now − 15 s, now − 1.5 s]. teardown computes the score
// as the contest does; handleSummary prints it and writes SUMMARY (JSON) when set: k6's own
// summary with the outcome under "rinha" and the processors' schedule under "schedule".
import http from 'k6/http';
import { sleep } from 'k6';
import { Counter } from 'k6/metrics';
import { uuidv4 } from './common.js';

const BASE_URL = __ENV.BASE_URL || 'http://localhost:9999';
const PROCESSORS = {
  default: __ENV.PROCESSOR_DEFAULT_URL || 'http://localhost:8001',
  fallback: __ENV.PROCESSOR_FALLBACK_URL || 'http://localhost:8002',
};
const TOKEN = __ENV.TOKEN || '123';
const SCHEDULE = __ENV.SCHEDULE || 'preview';
const ADMIN = { headers: { 'X-Rinha-Token': TOKEN, 'content-type': 'application/json' } };
const JSON_HEADERS = { headers: { 'content-type': 'application/json' }, timeout: '1500ms' };

// [second, default [delay ms, failing], fallback [delay ms, failing]]
const SCHEDULES = {
  preview: {
    seconds: 60,
    maxRequests: 550,
    stages: [
      [1, [0, false], [0, false]],
      [10, [100, false], [0, false]],
      [20, [100, true], [0, false]],
      [30, [2000, true], [1000, true]],
      [40, [20, false], [20, false]],
      [50, [0, false], [5000, false]],
    ],
  },
  final: {
    seconds: 300,
    maxRequests: 600,
    stages: [
      [0, [0, false], [0, false]],
      [30, [1000, false], [0, false]],
      [60, [500, false], [0, false]],
      [90, [2000, true], [1000, false]],
      [120, [5000, true], [5, false]],
      [150, [0, false], [5, true]],
      [180, [100, false], [5, false]],
      [210, [50, false], [0, false]],
      [240, [103, false], [10, false]],
      [270, [2000, false], [0, false]],
    ],
  },
  outage: {
    seconds: 60,
    maxRequests: 550,
    stages: [
      [0, [0, false], [0, false]],
      [15, [0, true], [0, true]],
      [45, [0, false], [0, false]],
    ],
  },
};
const RUN = SCHEDULES[SCHEDULE];
const MAX_REQUESTS = Number(__ENV.MAX_REQUESTS || RUN.maxRequests);

const accepted = new Counter('payments_accepted');
const failed = new Counter('payments_failed');
const inconsistencies = new Counter('inconsistencies');
const score = {
  gross: new Counter('score_gross'),
  fees: new Counter('score_fees'),
  paid: new Counter('score_paid'),
  defaultPaid: new Counter('score_default_paid'),
  fallbackPaid: new Counter('score_fallback_paid'),
};

function stageScenarios() {
  const scenarios = {};
  RUN.stages.forEach(([second, d, f], n) => {
    scenarios[`stage_${n}`] = {
      executor: 'per-vu-iterations',
      vus: 1,
      iterations: 1,
      startTime: `${second}s`,
      exec: 'configure',
      env: {
        DEFAULT_DELAY: `${d[0]}`, DEFAULT_FAILING: `${d[1]}`,
        FALLBACK_DELAY: `${f[0]}`, FALLBACK_FAILING: `${f[1]}`,
      },
    };
  });
  return scenarios;
}

export const options = {
  summaryTrendStats: ['avg', 'min', 'med', 'p(90)', 'p(99)', 'max'],
  scenarios: Object.assign({
    payments: {
      executor: 'ramping-vus',
      startVUs: 1,
      stages: [{ target: MAX_REQUESTS, duration: `${RUN.seconds}s` }],
      gracefulRampDown: '0s',
      exec: 'pay',
    },
    checkPaymentsConsistency: {
      executor: 'constant-vus',
      vus: 1,
      duration: `${RUN.seconds}s`,
      exec: 'checkPaymentsConsistency',
    },
  }, stageScenarios()),
};

function setProcessor(name, delay, failing) {
  http.put(`${PROCESSORS[name]}/admin/configurations/delay`, JSON.stringify({ delay }), ADMIN);
  http.put(`${PROCESSORS[name]}/admin/configurations/failure`, JSON.stringify({ failure: failing }), ADMIN);
}

function adminSummary(name, query) {
  const res = http.get(`${PROCESSORS[name]}/admin/payments-summary${query}`, ADMIN);
  return res.status === 200 ? res.json() : null;
}

function ourSummary(query) {
  const res = http.get(`${BASE_URL}/payments-summary${query}`);
  return res.status === 200 ? res.json() : null;
}

export function setup() {
  for (const name of ['default', 'fallback']) {
    http.put(`${PROCESSORS[name]}/admin/configurations/token`, JSON.stringify({ token: TOKEN }), ADMIN);
    http.post(`${PROCESSORS[name]}/admin/purge-payments`, null, ADMIN);
    setProcessor(name, 0, false);
  }
  http.post(`${BASE_URL}/purge-payments`);
  return { start: new Date().toISOString() };
}

export function configure() {
  setProcessor('default', Number(__ENV.DEFAULT_DELAY), __ENV.DEFAULT_FAILING === 'true');
  setProcessor('fallback', Number(__ENV.FALLBACK_DELAY), __ENV.FALLBACK_FAILING === 'true');
}

export function pay() {
  const body = JSON.stringify({ correlationId: uuidv4(), amount: 19.9 });
  const res = http.post(`${BASE_URL}/payments`, body, JSON_HEADERS);
  if (res.status >= 200 && res.status < 300) accepted.add(1);
  else failed.add(1);
  sleep(1);
}

export function checkPaymentsConsistency() {
  const now = Date.now();
  const from = new Date(now - 15000).toISOString();
  const to = new Date(now - 1500).toISOString();
  const query = `?from=${from}&to=${to}`;
  const [d, f, ours] = http.batch([
    ['GET', `${PROCESSORS.default}/admin/payments-summary${query}`, null, ADMIN],
    ['GET', `${PROCESSORS.fallback}/admin/payments-summary${query}`, null, ADMIN],
    ['GET', `${BASE_URL}/payments-summary${query}`],
  ]).map((r) => (r.status === 200 ? r.json() : null));
  if (d && f && ours) {
    const difference = (ours.default.totalRequests - d.totalRequests)
      + (ours.fallback.totalRequests - f.totalRequests);
    inconsistencies.add(Math.abs(difference));
  }
  sleep(10);
}

// Over the whole run: gross and fees as the contest computes them, from our summary and
// each processor's fee.
export function teardown(data) {
  const query = `?from=${data.start}&to=${new Date(Date.now() + 60000).toISOString()}`;
  const ours = ourSummary(query);
  const fees = {
    default: adminSummary('default', query),
    fallback: adminSummary('fallback', query),
  };
  if (!ours || !fees.default || !fees.fallback) return;
  for (const name of ['default', 'fallback']) {
    const amount = ours[name].totalAmount;
    score.gross.add(amount);
    score.fees.add(amount * fees[name].feePerTransaction);
    score.paid.add(ours[name].totalRequests);
  }
  score.defaultPaid.add(ours.default.totalRequests);
  score.fallbackPaid.add(ours.fallback.totalRequests);
}

function count(data, name) {
  const metric = data.metrics[name];
  return metric ? metric.values.count : 0;
}

export function handleSummary(data) {
  const p99 = data.metrics['http_req_duration{expected_response:true}']
    ? data.metrics['http_req_duration{expected_response:true}'].values['p(99)']
    : data.metrics.http_req_duration.values['p(99)'];
  const gross = count(data, 'score_gross');
  const fees = count(data, 'score_fees');
  const inconsistent = count(data, 'inconsistencies');
  const bonus = Math.max(0, (11 - p99) * 0.02);
  const fine = inconsistent > 0 ? 0.35 : 0;
  const net = gross - fees;
  const result = {
    schedule: SCHEDULE,
    max_requests: MAX_REQUESTS,
    p99_ms: p99,
    accepted: count(data, 'payments_accepted'),
    failed: count(data, 'payments_failed'),
    paid: count(data, 'score_paid'),
    paid_default: count(data, 'score_default_paid'),
    paid_fallback: count(data, 'score_fallback_paid'),
    lag: count(data, 'payments_accepted') - count(data, 'score_paid'),
    inconsistencies: inconsistent,
    gross,
    fees,
    net,
    bonus,
    fine,
    score: net * (1 + bonus - fine),
  };
  const text = Object.entries(result)
    .map(([k, v]) => `${k.padEnd(16)} ${typeof v === 'number' ? Math.round(v * 100) / 100 : v}`)
    .join('\n');
  const out = { stdout: `\n${text}\n` };
  // The processors' settings over time, for the report page's time axis.
  const setting = ([delay, failing]) => ({ delay_ms: delay, failing });
  const schedule = RUN.stages.map(([at, d, f]) => ({ at, default: setting(d), fallback: setting(f) }));
  if (__ENV.SUMMARY) out[__ENV.SUMMARY] = JSON.stringify(Object.assign({}, data, { rinha: result, schedule }), null, 2);
  return out;
}
