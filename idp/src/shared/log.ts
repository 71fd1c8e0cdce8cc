import { pino, type Logger } from 'pino';

export type { Logger };

/** Structured JSON log lines, one per event, with the emitting service in `svc`. */
export function createLogger(level: string): Logger {
  return pino({ level, base: { app: 'idp-harness' }, timestamp: pino.stdTimeFunctions.isoTime });
}
