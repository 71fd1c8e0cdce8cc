import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { parseFrame } from './frame-xml.js';
import { NS } from './namespaces.js';
import type { NotificationService } from './notification-service.js';
import type { XmppSession, XmppTransport } from './session.js';
import { XmppStreamError } from './xmpp-errors.js';

const PATHS = new Set(['/ws', '/ws/']);

function refuse(socket: Duplex, status: string, code: string, text: string): void {
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nX-Idp-Harness-Error: ${code}\r\nContent-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`);
}

/**
 * XMPP over WebSocket (RFC 7395) at `/ws` on the Finesse host, where Finesse 12.5 desktops connect
 * (reference A.2.6, `wss://<host>/ws/`). The `xmpp` subprotocol is required (§3.1: a handshake
 * without it is not an XMPP connection); each text frame is one element (§3.3.3): `<open/>`,
 * `<close/>`, SASL, stanzas. Dead desktops are found by WebSocket pings. Returns a `close()` for
 * the lab's stop: upgraded sockets are not the HTTP server's to close.
 */
export function attachWebSocket(server: Server, service: NotificationService): { close(): Promise<void> } {
  // ws's own cap sits above the service's so that an oversized stanza still gets its stream
  // error (policy-violation) rather than a bare close code 1009.
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: service.maxStanzaBytes * 4 + 1024,
    perMessageDeflate: false,
    handleProtocols: (protocols) => (protocols.has('xmpp') ? 'xmpp' : false),
  });

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = new URL(req.url ?? '/', 'http://finesse').pathname;
    if (!PATHS.has(path)) return refuse(socket, '404 Not Found', 'ERR_HTTP_NOT_FOUND', `There is no WebSocket endpoint at ${path}; XMPP is at /ws.`);
    const offered = String(req.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((p) => p.trim());
    if (!offered.includes('xmpp')) {
      return refuse(socket, '400 Bad Request', 'ERR_XMPP_SUBPROTOCOL', "The WebSocket handshake must offer the 'xmpp' subprotocol (RFC 7395 §3.1).");
    }
    wss.handleUpgrade(req, socket, head, (ws) => connect(ws, service));
  };
  server.on('upgrade', onUpgrade);

  return {
    async close() {
      server.off('upgrade', onUpgrade);
      const open = [...wss.clients];
      await Promise.race([
        Promise.all(open.map((ws) => new Promise<void>((resolve) => (ws.readyState === ws.CLOSED ? resolve() : ws.once('close', () => resolve()))))),
        new Promise((resolve) => setTimeout(resolve, 300).unref()),
      ]);
      for (const ws of wss.clients) ws.terminate();
      wss.close();
    },
  };
}

function connect(ws: WebSocket, service: NotificationService): void {
  let closing = false;
  const transport: XmppTransport = {
    kind: 'websocket',
    send(xml) {
      if (ws.readyState === ws.OPEN) ws.send(xml);
    },
    close(error) {
      if (closing) return;
      closing = true;
      if (error) transport.send(error.toXml());
      transport.send(`<close xmlns="${NS.framing}"/>`);
      ws.close(1000);
    },
  };
  const session: XmppSession = service.newSession(transport);
  let opened = false;
  const sendOpen = () => {
    opened = true;
    transport.send(`<open xmlns="${NS.framing}" from="${service.domain}" id="${session.id}" version="1.0" xml:lang="en"/>`);
  };

  ws.on('message', (data, isBinary) => {
    if (closing) return;
    try {
      // RFC 7395 §3.2: XMPP travels in text frames only.
      if (isBinary) throw new XmppStreamError('bad-format', 'ERR_XMPP_NOT_WELL_FORMED', 'XMPP over WebSocket uses text frames (RFC 7395 §3.2).');
      const el = parseFrame(Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.concat(data as Buffer[]).toString('utf8'), service.maxStanzaBytes);
      if (el.ns === NS.framing && el.name === 'open') {
        // RFC 7395 §3.3.2; the version must be 1.0 (RFC 6120 §4.7.5). The header carries the new
        // stream's id, so the features are decided first.
        if (el.attrs['version'] !== '1.0') throw new XmppStreamError('unsupported-version', 'ERR_XMPP_UNSUPPORTED_VERSION', 'The stream version must be 1.0 (RFC 6120 §4.7.5).');
        const features = session.opened(el.attrs['to']);
        sendOpen();
        transport.send(features);
        return;
      }
      if (el.ns === NS.framing && el.name === 'close') {
        transport.close();
        session.ended();
        return;
      }
      if (!opened) throw new XmppStreamError('bad-format', 'ERR_XMPP_BAD_REQUEST', 'The first frame must be <open/> (RFC 7395 §3.3.1).');
      // A stream-level element other than the framing ones is `<stream:features>` or an error from a confused client.
      if (el.ns === NS.stream) throw new XmppStreamError('unsupported-stanza-type', 'ERR_XMPP_UNSUPPORTED_STANZA', `<stream:${el.name}> is not expected from a client.`);
      session.receive(el);
    } catch (e) {
      const err =
        e instanceof XmppStreamError ? e : new XmppStreamError('internal-server-error', 'ERR_INTERNAL', 'The notification service failed on this frame.');
      if (!(e instanceof XmppStreamError)) service.log.error({ svc: 'finesse', err: e }, 'xmpp websocket frame failed');
      else service.log.info({ svc: 'finesse', event: 'xmpp.stream.error', code: err.code, condition: err.condition }, err.message);
      if (!opened) sendOpen();
      transport.close(err);
      session.ended();
    }
  });

  // Keep-alive: a desktop that misses two pings in a row is gone (its presence is lost).
  let missed = 0;
  const timer = setInterval(() => {
    if (++missed > 2) return ws.terminate();
    ws.ping();
  }, service.config.pingSeconds * 1000);
  timer.unref();
  ws.on('pong', () => (missed = 0));
  ws.on('error', (err) => service.log.info({ svc: 'finesse', event: 'xmpp.websocket.error', err: err.message }, 'websocket error'));
  ws.on('close', () => {
    clearInterval(timer);
    session.ended();
  });
}
