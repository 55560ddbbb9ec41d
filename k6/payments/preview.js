// The published test of 2025 (rinha-test/rinha.js; ../shared/spec/2025.md, "The official
// test"), kept here so that nothing is fetched at run time: the preview that every entry
// ran before the final (final.js is the final, a script of its own). SCHEDULE=preview (the
// published 60 s schedule, the default) or outage (ours, not the contest's: both
// processors fail for 30 s under the preview's load, then recover). MAX_REQUESTS: the most
// VUs (550). Each VU posts one payment of 19.90 with a 1.5 s timeout, then sleeps 1 s; a
// 2xx is a success. Every 10 s one VU compares our summary with both processors' admin
// summaries over [now − 15 s, now − 1.5 s] and adds the absolute value of the summed
// differences. teardown computes the score as the published script does (gross and fees
// from our summary and each processor's fee); handleSummary prints it and writes SUMMARY
// (JSON) when set: k6's own summary with the outcome under "rinha" and the processors'
// schedule under "schedule". The processors it runs against charge the preview's fees,
// 5 % and 15 %, as the published processor compose file sets them.
import http from 'k6/http';
import { sleep } from 'k6';
import { Counter } from 'k6/metrics';
import { BASE_URL, PROCESSORS, TOKEN, count, scoredP99, summaryOutput, uuidv4 } from './common.js';

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

export function handleSummary(data) {
  const p99 = scoredP99(data);
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
  return summaryOutput(data, result, RUN.stages, {});
}
