// The final of 2025 as it was run (rinha-test/rinha-final.js and run-tests-final.sh of the
// official repository at e853c85, run 2025-08-21; ../shared/spec/2025.md, "The official
// test"), written anew here so that nothing is fetched at run time. It is a script of its
// own, not the preview with other stages:
// - 300 s of ramping VUs from 1 to MAX_REQUESTS (603, as run-tests-final.sh sets it); each
//   posts one payment of 20.05 with a 1.5 s timeout, asynchronously, then sleeps 1 s; 200,
//   201, 202 and 204 are successes;
// - one VU every 10 s asks both processors' admin summaries and ours, at once, for
//   [now − 15 s, now − 2 s] and adds |Δdefault| + |Δfallback| (an answer other than 200
//   counts as all zeros, as the official helpers return);
// - at 1 s and every 30 s from 30 s, a VU of its own sets both processors' delays, then
//   their failure flags;
// - teardown, as soon as the load ends, reads the gross, the fees and the lag from the
//   processors' admin summaries over the last 6 minutes, not from ours;
// - handleSummary scores as the final did: p99 rounded to 0.01 ms, the bonus to whole
//   percents, the 35 % fine for any inconsistency. SUMMARY (JSON) gets k6's summary with
//   our outcome under "rinha", the schedule under "schedule", and the final's own
//   results file (final-results.json's fields) under "final_results".
// The processors charge the final's fees, 7 % and 10 % (`rinha bench` starts them so).
import http from 'k6/http';
import { sleep } from 'k6';
import { Counter } from 'k6/metrics';
import {
  BASE_URL, INITIAL_TOKEN, PROCESSORS, TOKEN, count, scoredP99, summaryOutput, uuidv4,
} from './common.js';

const MAX_REQUESTS = Number(__ENV.MAX_REQUESTS || 603);
const SECONDS = 300;
const AMOUNT = 20.05;
const TIMEOUT = '1500ms';
const JSON_TYPE = { 'Content-Type': 'application/json' };
const ADMIN = { headers: Object.assign({ 'X-Rinha-Token': TOKEN }, JSON_TYPE), timeout: TIMEOUT };

// [second, default [delay ms, failing], fallback [delay ms, failing]]
const STAGES = [
  [1, [0, false], [0, false]],
  [30, [1000, false], [0, false]],
  [60, [500, false], [0, false]],
  [90, [2000, true], [1000, false]],
  [120, [5000, true], [5, false]],
  [150, [0, false], [5, true]],
  [180, [100, false], [5, false]],
  [210, [50, false], [0, false]],
  [240, [103, false], [10, false]],
  [270, [2000, false], [0, false]],
];

function stageScenarios() {
  const scenarios = {};
  STAGES.forEach(([second, d, f], n) => {
    scenarios[`stage_${String(n).padStart(2, '0')}`] = {
      exec: 'defineStage',
      startTime: `${second}s`,
      executor: 'constant-vus',
      vus: 1,
      duration: '1s',
      env: {
        DEFAULT_DELAY: `${d[0]}`, DEFAULT_FAILING: `${d[1]}`,
        FALLBACK_DELAY: `${f[0]}`, FALLBACK_FAILING: `${f[1]}`,
      },
    };
  });
  return scenarios;
}

export const options = {
  summaryTrendStats: ['avg', 'min', 'med', 'p(90)', 'p(99)', 'max', 'count'],
  scenarios: Object.assign({
    payments: {
      exec: 'payments',
      executor: 'ramping-vus',
      startVUs: 1,
      gracefulRampDown: '0s',
      stages: [{ target: MAX_REQUESTS, duration: `${SECONDS}s` }],
    },
    payments_consistency: {
      exec: 'checkPaymentsConsistency',
      executor: 'constant-vus',
      duration: `${SECONDS}s`,
      vus: 1,
    },
  }, stageScenarios()),
};

const succeeded = new Counter('transactions_success');
const failed = new Counter('transactions_failure');
const inconsistencies = new Counter('payments_inconsistency');
const processorCounters = (name) => ({
  amount: new Counter(`${name}_total_amount`),
  requests: new Counter(`${name}_total_requests`),
  fee: new Counter(`${name}_total_fee`),
});
const stored = { default: processorCounters('default'), fallback: processorCounters('fallback') };

function admin(method, name, path, body, headers) {
  const params = headers ? Object.assign({}, ADMIN, { headers }) : ADMIN;
  return http.asyncRequest(method, `${PROCESSORS[name]}${path}`, body, params);
}

async function processorSummary(name, from, to) {
  const res = await admin('GET', name, `/admin/payments-summary?from=${from}&to=${to}`, null);
  if (res.status === 200) return res.json();
  console.error(`${name}'s admin summary answered ${res.status}`);
  return { totalAmount: 0, totalRequests: 0, feePerTransaction: 0, totalFee: 0 };
}

async function ourSummary(from, to) {
  const res = await http.asyncRequest('GET', `${BASE_URL}/payments-summary?from=${from}&to=${to}`,
    null, { headers: JSON_TYPE, timeout: TIMEOUT });
  if (res.status === 200) return res.json();
  console.error(`our summary answered ${res.status}`);
  return { default: { totalAmount: 0, totalRequests: 0 }, fallback: { totalAmount: 0, totalRequests: 0 } };
}

export async function setup() {
  const initial = Object.assign({ 'X-Rinha-Token': INITIAL_TOKEN }, JSON_TYPE);
  for (const name of ['default', 'fallback']) {
    await admin('PUT', name, '/admin/configurations/token', JSON.stringify({ token: TOKEN }), initial);
  }
  for (const name of ['default', 'fallback']) {
    await admin('POST', name, '/admin/purge-payments', null);
  }
  await http.asyncRequest('POST', `${BASE_URL}/purge-payments`, null, { headers: JSON_TYPE, timeout: TIMEOUT });
}

export async function payments() {
  const body = JSON.stringify({ correlationId: uuidv4(), amount: AMOUNT });
  const res = await http.asyncRequest('POST', `${BASE_URL}/payments`, body,
    { headers: JSON_TYPE, timeout: TIMEOUT });
  if ([200, 201, 202, 204].includes(res.status)) {
    succeeded.add(1);
    failed.add(0);
  } else {
    succeeded.add(0);
    failed.add(1);
  }
  sleep(1);
}

export async function checkPaymentsConsistency() {
  const now = Date.now();
  const from = new Date(now - 15000).toISOString();
  const to = new Date(now - 2000).toISOString();
  const [d, f, ours] = await Promise.all([
    processorSummary('default', from, to),
    processorSummary('fallback', from, to),
    ourSummary(from, to),
  ]);
  const found = Math.abs(ours.default.totalRequests - d.totalRequests)
    + Math.abs(ours.fallback.totalRequests - f.totalRequests);
  inconsistencies.add(found);
  if (found > 0) {
    console.warn(`inconsistent: default ${ours.default.totalRequests} against ${d.totalRequests}, `
      + `fallback ${ours.fallback.totalRequests} against ${f.totalRequests}`);
  }
  sleep(10);
}

export async function defineStage() {
  for (const name of ['default', 'fallback']) {
    const delay = Number(__ENV[`${name.toUpperCase()}_DELAY`]);
    await admin('PUT', name, '/admin/configurations/delay', JSON.stringify({ delay }));
  }
  for (const name of ['default', 'fallback']) {
    const failure = __ENV[`${name.toUpperCase()}_FAILING`] === 'true';
    await admin('PUT', name, '/admin/configurations/failure', JSON.stringify({ failure }));
  }
  sleep(1);
}

export async function teardown() {
  const to = new Date();
  const from = new Date(to.getTime() - 360 * 1000).toISOString();
  for (const name of ['default', 'fallback']) {
    const summary = await processorSummary(name, from, to.toISOString());
    stored[name].amount.add(summary.totalAmount);
    stored[name].requests.add(summary.totalRequests);
    stored[name].fee.add(summary.feePerTransaction * summary.totalAmount);
  }
}

const round = (x, digits) => Math.round(x * 10 ** digits) / 10 ** digits;

export function handleSummary(data) {
  const p99 = round(scoredP99(data), 2);
  const bonus = Math.max(round((11 - p99) * 0.02, 2), 0);
  const found = count(data, 'payments_inconsistency');
  const fine = found > 0 ? 0.35 : 0;
  const paid = { default: count(data, 'default_total_requests'), fallback: count(data, 'fallback_total_requests') };
  const gross = count(data, 'default_total_amount') + count(data, 'fallback_total_amount');
  const fees = count(data, 'default_total_fee') + count(data, 'fallback_total_fee');
  const net = gross - fees;
  const score = net + net * bonus - net * fine;
  const accepted = count(data, 'transactions_success');
  const lag = accepted - (paid.default + paid.fallback);
  const result = {
    schedule: 'final',
    max_requests: MAX_REQUESTS,
    p99_ms: p99,
    accepted,
    failed: count(data, 'transactions_failure'),
    paid: paid.default + paid.fallback,
    paid_default: paid.default,
    paid_fallback: paid.fallback,
    lag,
    inconsistencies: found,
    gross,
    fees,
    net,
    bonus,
    fine,
    score,
  };
  // The fields of the final's own final-results.json, as a judge's run writes them.
  const processor = (name) => ({
    total_bruto: count(data, `${name}_total_amount`),
    num_pagamentos: paid[name],
    total_taxas: count(data, `${name}_total_fee`),
  });
  const finalResults = {
    total_liquido: score,
    total_bruto: gross,
    total_taxas: fees,
    p99: { valor: `${p99}ms`, bonus: `${round(bonus * 100, 2)}%`, max_requests: MAX_REQUESTS },
    multa: { porcentagem: fine, total: net * fine, composicao: { num_inconsistencias: found } },
    caixa_dois: { detectado: lag < 0 },
    lag: { num_pagamentos_total: paid.default + paid.fallback, num_pagamentos_solicitados: accepted, lag },
    pagamentos_solicitados: { qtd_sucesso: accepted, qtd_falha: count(data, 'transactions_failure') },
    pagamentos_realizados_default: processor('default'),
    pagamentos_realizados_fallback: processor('fallback'),
  };
  return summaryOutput(data, result, STAGES, { final_results: finalResults });
}
