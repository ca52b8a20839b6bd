// Health check for the Node-based services (their image has no curl/wget): exit 0 on a 2xx.
const url = process.argv[2];
if (!url) {
  console.error('usage: node docker/healthcheck.mjs URL');
  process.exit(2);
}
fetch(url, { signal: AbortSignal.timeout(4000) }).then(
  (res) => process.exit(res.ok ? 0 : 1),
  (err) => {
    console.error(`${url}: ${err.message}`);
    process.exit(1);
  },
);
