// Saturation, closed model: debit, credit and statement users firing back to back on
// keep-alive connections for DURATION (default 30s). What it measures is what the stack
// spends per request, not what k6 can send: `rinha bench stress` divides each service's
// CPU-seconds by the requests served.
import { debit, credit, readStatement, summarize } from './common.js';

export { debit, credit, readStatement };

const DURATION = __ENV.DURATION || '30s';

function users(vus, exec) {
  return { executor: 'constant-vus', vus, duration: DURATION, exec };
}

export const options = {
  summaryTrendStats: ['avg', 'min', 'med', 'p(90)', 'p(99)', 'max'],
  scenarios: {
    debits: users(Number(__ENV.DEBIT_VUS || 8), 'debit'),
    credits: users(Number(__ENV.CREDIT_VUS || 4), 'credit'),
    statements: users(Number(__ENV.STATEMENT_VUS || 2), 'readStatement'),
  },
  thresholds: {
    checks: ['rate==1'],
    inconsistencies: ['count==0'],
  },
};

export function handleSummary(data) {
  return summarize(data);
}
