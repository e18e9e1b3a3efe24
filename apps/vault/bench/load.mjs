/**
 * Load generator for vault.bench.ts, run as a separate process so it does not share a
 * CPU budget with the vault's event loop. argv[2] = JSON {url, tokens?, duration, connections}.
 * Prints autocannon's result as JSON on stdout.
 */
import autocannon from 'autocannon';

const { url, tokens, duration, connections } = JSON.parse(process.argv[2]);
let i = 0;
const result = await autocannon({
  url,
  duration,
  connections,
  requests: [
    {
      method: 'GET',
      setupRequest: (req) => {
        if (!tokens) return req;
        const token = tokens[i++ % tokens.length];
        return { ...req, headers: { ...req.headers, authorization: `Bearer ${token}` } };
      },
    },
  ],
});
process.stdout.write(
  JSON.stringify({
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    total: result.requests.total,
  }),
);
