// What the 2025 scenarios share: the payment ids, the processors' addresses and admin
// token, and the outcome each run writes for `rinha bench` (handleSummary's "rinha").

const HEX = '0123456789abcdef';

// A version 4 UUID: random, with the version and variant digits in place.
export function uuidv4() {
  let id = '';
  for (let i = 0; i < 36; i++) {
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      id += '-';
    } else if (i === 14) {
      id += '4';
    } else if (i === 19) {
      id += HEX[8 + Math.floor(Math.random() * 4)];
    } else {
      id += HEX[Math.floor(Math.random() * 16)];
    }
  }
  return id;
}

export const BASE_URL = __ENV.BASE_URL || 'http://localhost:9999';
export const PROCESSORS = {
  default: __ENV.PROCESSOR_DEFAULT_URL || 'http://localhost:8001',
  fallback: __ENV.PROCESSOR_FALLBACK_URL || 'http://localhost:8002',
};
// The processors' first token, and the one a run sets (the official runs set a new one).
export const INITIAL_TOKEN = '123';
export const TOKEN = __ENV.TOKEN || INITIAL_TOKEN;

// A run's stages as the report page draws them: [second, [delay ms, failing] of default,
// the same of fallback].
export function scheduleOf(stages) {
  const setting = ([delay, failing]) => ({ delay_ms: delay, failing });
  return stages.map(([at, d, f]) => ({ at, default: setting(d), fallback: setting(f) }));
}

// The p99 the score uses: every request of the test that got an expected answer.
export function scoredP99(data) {
  const scored = data.metrics['http_req_duration{expected_response:true}'];
  return (scored || data.metrics.http_req_duration).values['p(99)'];
}

export function count(data, name) {
  const metric = data.metrics[name];
  return metric ? metric.values.count : 0;
}

// handleSummary's output: the outcome as text on stdout, and when SUMMARY is set, k6's own
// summary in that file with the outcome under "rinha", the processors' schedule under
// "schedule" and whatever else the scenario adds (`extra`).
export function summaryOutput(data, result, stages, extra) {
  const text = Object.entries(result)
    .map(([k, v]) => `${k.padEnd(16)} ${typeof v === 'number' ? Math.round(v * 100) / 100 : v}`)
    .join('\n');
  const out = { stdout: `\n${text}\n` };
  if (__ENV.SUMMARY) {
    const summary = Object.assign({}, data, extra, { rinha: result, schedule: scheduleOf(stages) });
    out[__ENV.SUMMARY] = JSON.stringify(summary, null, 2);
  }
  return out;
}
