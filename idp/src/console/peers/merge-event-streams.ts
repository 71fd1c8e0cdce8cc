import type { IncomingMessage } from 'node:http';
import type { Response } from 'express';

/** Event ids remembered to drop duplicates (the most recent ones). */
const MAX_REMEMBERED_IDS = 10_000;
const KEEP_ALIVE_MS = 15_000;

/**
 * Several peers' Server-Sent Events streams as one. Events are forwarded whole, never interleaved:
 * "events are separated by a blank line" (HTML Living Standard §9.2.6, "Interpreting an event
 * stream"), so each source is cut at blank lines and a complete block is written at once. An event
 * seen before (same `id:` field, or the same `id` in its JSON `data:`) is dropped. Comment-only
 * blocks (the peers' keep-alives) are replaced by this stream's own. When one source ends the
 * merged stream ends too (an EventSource reconnects by itself), and when the client goes every
 * source is closed.
 */
export function mergeEventStreams(sources: readonly IncomingMessage[], res: Response): void {
  res.status(200).set({ 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
  res.flushHeaders();
  res.write(': connected\n\n');
  const seen = new Set<string>();
  const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), KEEP_ALIVE_MS);
  keepAlive.unref();
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    clearInterval(keepAlive);
    for (const s of sources) s.destroy();
    res.end();
  };
  res.on('close', close);
  for (const source of sources) {
    let pending = '';
    source.setEncoding('utf8');
    source.on('data', (chunk: string) => {
      pending += chunk.replace(/\r\n?/g, '\n');
      let cut: number;
      while ((cut = pending.indexOf('\n\n')) >= 0) {
        const block = pending.slice(0, cut);
        pending = pending.slice(cut + 2);
        if (closed || isCommentOnly(block)) continue;
        const key = eventKey(block);
        if (key !== undefined) {
          if (seen.has(key)) continue;
          seen.add(key);
          if (seen.size > MAX_REMEMBERED_IDS) seen.delete(seen.values().next().value!);
        }
        res.write(`${block}\n\n`);
      }
    });
    source.on('end', close);
    source.on('error', close);
  }
}

function isCommentOnly(block: string): boolean {
  return block.split('\n').every((line) => line === '' || line.startsWith(':'));
}

/** The event's `id:` field, or else the `id` of its JSON data. */
function eventKey(block: string): string | undefined {
  const lines = block.split('\n');
  const id = lines.find((l) => l.startsWith('id:'));
  if (id !== undefined) return `id:${id.slice(3).trim()}`;
  const data = lines.filter((l) => l.startsWith('data:')).map((l) => l.slice(5).replace(/^ /, '')).join('\n');
  try {
    const v = (JSON.parse(data) as { id?: unknown } | null)?.id;
    return typeof v === 'string' || typeof v === 'number' ? `data:${v}` : undefined;
  } catch {
    return undefined;
  }
}
