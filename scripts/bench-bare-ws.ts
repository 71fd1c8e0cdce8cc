/**
 * The reference of the notification part of `npm run bench` (bench-xmpp.ts): a bare `ws` server
 * with nothing of XMPP or Finesse, in its own process, so that its resident memory per connection
 * and CPU per message can be set beside the lab's per desktop and per event.
 *
 *   node dist/scripts/bench-bare-ws.js <port>
 *
 * On 127.0.0.1:<port>: `GET /healthz` → 200; WebSocket at `/ws?c=<n>` (connection n, no
 * compression, as the lab's /ws); `PUT /push/<n>?size=<bytes>` with a `requestId` header → one
 * text message of `size` bytes to connection n (`<requestId>` then padding), then 202 with an empty
 * body. That is the least a REST-then-push exchange can cost: the lab publishes its notification
 * during the PUT and answers 202 after it (Finesse's REST contract, reference A.2.4, A.2.6).
 */
import { createServer } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port <= 0) {
  process.stderr.write('usage: bench-bare-ws <port>\n');
  process.exit(2);
}

const connections = new Map<number, WebSocket>();
const padding = 'x'.repeat(64 * 1024);

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://bare');
  if (req.method === 'GET' && url.pathname === '/healthz') {
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    return;
  }
  const m = /^\/push\/(\d+)$/.exec(url.pathname);
  if (req.method !== 'PUT' || !m) {
    res.writeHead(404).end();
    return;
  }
  req.resume(); // the body (the same XML as the lab's PUT) is read and dropped
  req.on('end', () => {
    const ws = connections.get(Number(m[1]));
    if (!ws || ws.readyState !== ws.OPEN) {
      res.writeHead(404).end();
      return;
    }
    const requestId = String(req.headers['requestid'] ?? '');
    const size = Math.min(Number(url.searchParams.get('size') ?? 1500) || 1500, padding.length);
    const head = `${requestId}\n`;
    ws.send(head + padding.slice(0, Math.max(0, size - head.length)));
    res.writeHead(202).end();
  });
});

const wss = new WebSocketServer({ server, path: '/ws', perMessageDeflate: false });
wss.on('connection', (ws, req) => {
  const n = Number(new URL(req.url ?? '/', 'http://bare').searchParams.get('c'));
  connections.set(n, ws);
  ws.on('close', () => {
    if (connections.get(n) === ws) connections.delete(n);
  });
  ws.on('error', () => ws.terminate());
});

server.listen(port, '127.0.0.1');

const shutdown = () => {
  for (const ws of wss.clients) ws.terminate();
  wss.close();
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 500).unref();
};
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
