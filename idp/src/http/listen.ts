import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

export interface Listening {
  server: Server;
  port: number;
  /** Swap in the real application once URLs (which need the bound port) are known. */
  setHandler(h: RequestHandler): void;
  close(): Promise<void>;
}

/**
 * Binds a service's socket (TLS from the lab PKI, or plain HTTP), answering 503 until the
 * application is attached: the port must be known before issuers and entity IDs can be derived
 * from it when it was chosen by the OS (port 0).
 */
export async function listen(opts: { host: string; port: number; tls?: { keyPem: string; certPem: string } | undefined }): Promise<Listening> {
  let handler: RequestHandler = (_req, res) => {
    res.statusCode = 503;
    res.end('starting');
  };
  const dispatch: RequestHandler = (req, res) => handler(req, res);
  const server: Server = opts.tls ? createHttpsServer({ key: opts.tls.keyPem, cert: opts.tls.certPem }, dispatch) : createHttpServer(dispatch);
  // Keep-alive longer than typical client pools so benchmarks and browsers reuse connections.
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    server,
    port: (server.address() as AddressInfo).port,
    setHandler(h) {
      handler = h;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** `https://localhost:9443`-style URL for a bound service (no trailing slash). */
export function defaultPublicUrl(tls: boolean, port: number): string {
  return `${tls ? 'https' : 'http'}://localhost:${port}`;
}
