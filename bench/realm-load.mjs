/**
 * @module bench/realm-load — load generator for bench/realm.bench.ts, a process of its own
 * (it must not share the realm's event loop). argv[2] = JSON {url, duration, connections,
 * requests?: [{token, body}]}: with `requests`, each request is a POST of the next body
 * with its bearer token (round robin); without, a plain GET. Prints autocannon's result
 * as JSON on stdout.
 */
import autocannon from 'autocannon';

const { url, duration, connections, requests } = JSON.parse(process.argv[2]);
let i = 0;
const result = await autocannon({
  url,
  duration,
  connections,
  requests: [
    requests
      ? {
          method: 'POST',
          setupRequest: (req) => {
            const r = requests[i++ % requests.length];
            return {
              ...req,
              body: r.body,
              headers: {
                ...req.headers,
                'content-type': 'application/json',
                authorization: `Bearer ${r.token}`,
              },
            };
          },
        }
      : { method: 'GET' },
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
