import type { Scenario } from '../scenario.js';

/** `scenarios list`: one row per scenario — id, flow, tags, title — in catalog order. */
export function catalogTable(list: readonly Scenario[]): string {
  const rows = list.map((s) => [s.id, s.flow, s.tags.join(','), s.title]);
  const head = ['ID', 'FLOW', 'TAGS', 'TITLE'];
  const width = (i: number) => Math.max(head[i]!.length, ...rows.map((r) => r[i]!.length));
  const line = (r: string[]) => `${r[0]!.padEnd(width(0))}  ${r[1]!.padEnd(width(1))}  ${r[2]!.padEnd(width(2))}  ${r[3]}`.trimEnd();
  return [line(head), ...rows.map(line)].join('\n') + `\n\n${list.length} scenario${list.length === 1 ? '' : 's'}\n`;
}
