// A desktop in its own Node process, for tls.test.ts: stanza (like a browser) takes no CA option,
// so trust comes from the process (NODE_EXTRA_CA_CERTS, read at start-up). It connects over each
// transport named in the config, authenticates with SASL PLAIN, pings the server (XEP-0199) and
// prints one JSON line: per transport { ok, jid, pinged } or { ok: false, error, code }.
//
// Usage: node tls-desktop.mjs '{"websocket":"wss://…/ws","bosh":"https://…/http-bind","domain":"localhost","local":"1003","password":"…"}'
import * as XMPP from 'stanza';

const config = JSON.parse(process.argv[2] ?? '{}');
const WAIT_MS = 5000;

/** stanza reports a failed WebSocket with console.error(err); keep what it says. */
const reported = [];
console.error = (...args) =>
  reported.push(
    args
      .map((a) => (a && a.error ? a.error : a)) // ws hands an ErrorEvent whose .error is the TLS error
      .map((a) => (a && a.message ? `${a.code ?? ''} ${a.message}` : String(a)))
      .join(' '),
  );

function describe(e) {
  const cause = e && e.cause ? e.cause : e;
  return { error: String((cause && cause.message) || e), code: (cause && cause.code) || '' };
}

async function viaStanza(transport) {
  const client = XMPP.createClient({
    jid: `${config.local}@${config.domain}`,
    password: config.password,
    server: config.domain,
    resource: `tls-${transport}`,
    timeout: WAIT_MS / 1000,
    transports: { websocket: transport === 'websocket' ? config.websocket : false, bosh: transport === 'bosh' ? config.bosh : false },
  });
  const outcome = await new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ ok: false, error: `no session within ${WAIT_MS} ms`, code: 'TIMEOUT' }), WAIT_MS);
    client.on('session:started', () => {
      clearTimeout(timer);
      resolve({ ok: true, jid: client.jid });
    });
    client.on('auth:failed', () => {
      clearTimeout(timer);
      resolve({ ok: false, error: 'SASL failure', code: 'AUTH' });
    });
    client.on('disconnected', () => {
      clearTimeout(timer);
      const last = reported.at(-1) ?? 'disconnected';
      resolve({ ok: false, error: last, code: /^([A-Z_]+) /.exec(last)?.[1] ?? '' });
    });
    void client.connect();
  });
  if (outcome.ok) {
    await client.ping(config.domain);
    outcome.pinged = true;
    await client.disconnect();
  }
  return outcome;
}

const results = {};
for (const transport of ['websocket', 'bosh']) {
  if (!config[transport]) continue;
  if (transport === 'bosh') {
    // stanza's BOSH retries a failed request for about 30 s before giving up; the same fetch it
    // uses answers at once whether the certificate is trusted.
    try {
      await fetch(config.bosh, { method: 'OPTIONS' });
    } catch (e) {
      results.bosh = { ok: false, ...describe(e) };
      continue;
    }
  }
  try {
    results[transport] = await viaStanza(transport);
  } catch (e) {
    results[transport] = { ok: false, ...describe(e) };
  }
}
process.stdout.write(`${JSON.stringify(results)}\n`);
process.exit(0);
