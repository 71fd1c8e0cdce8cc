import { parseArgs } from 'node:util';
import { SERVICE_NAMES, type ServiceName } from '../../../idp/src/config/schema.js';
import type { RunResult } from '../scenarios/result.js';
import type { Command } from './command.js';
import { UsageError } from './usage-error.js';

const USAGE = `idp-harness scenarios list [--tag t] [--flow F7] [--json]
idp-harness scenarios run [ids…] [options]

Runs the built-in end-to-end scenarios (every flow of DESIGN.md §1: Finesse token, refresh and
REST; SAML SP- and IdP-initiated; OIDC with each client authentication method; CXone; and the
negative scenarios driven by the fault queue) against a lab started for the run, or a running one.
The lab is reset through its control API before each scenario.

selection (list and run):
      --tag <t,…>         scenarios with any of these tags (repeatable)
      --flow <F1,…>       scenarios of any of these flows (repeatable)
      [ids…]              these scenarios only (run; see 'scenarios list')

the lab (run):
      --lab <url>         drive the running lab whose console is at <url> (e.g. http://localhost:9000)
      --ca <file>         CA to trust for its TLS services (default: <certsDir>/ca.pem)
      --only <list>       without --lab: start only these services, e.g. --only adfs,oidc
      --plain-http        without --lab: start the services on plain HTTP instead of TLS
      --no-reset          do not reset the lab before each scenario
      --timeout <s>       per scenario, default 60 (1–600)

output (run):
      --json              print the result as JSON on stdout (harness/schemas/scenario-report.schema.json);
                          the live report then goes to stderr
      --junit <file>      write a JUnit XML report (harness/schemas/junit.xsd)
  -h, --help              show this help

Exit status: 0 when no scenario failed (skipped ones are fine), 1 when one failed, 2 on a usage
error (unknown scenario, flow or tag, bad option).

  idp-harness scenarios run                            # every scenario, in-process lab over TLS
  idp-harness scenarios run --flow F1,F2 --junit out/junit.xml
  idp-harness scenarios run --lab http://localhost:9000 --tag negative`;

const SELECTION = {
  tag: { type: 'string', multiple: true },
  flow: { type: 'string', multiple: true },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const RUN = {
  ...SELECTION,
  lab: { type: 'string' },
  ca: { type: 'string' },
  only: { type: 'string' },
  'plain-http': { type: 'boolean' },
  'no-reset': { type: 'boolean' },
  timeout: { type: 'string' },
  junit: { type: 'string' },
} as const;

/**
 * `idp-harness scenarios`: list and run the built-in scenarios. The scenario modules (and
 * node-saml, openid-client with them) are loaded only when this command runs, so every other
 * command, `up` first, starts without them.
 */
export const scenarios: Command = {
  name: 'scenarios',
  usage: USAGE,
  async run(argv) {
    const [sub, ...rest] = argv;
    try {
      if (sub === 'list') return await list(rest);
      if (sub === 'run') return await run(rest);
    } catch (e) {
      // An unknown scenario id, flow or tag is the caller's mistake, like a bad option: exit 2.
      if ((e as { code?: unknown }).code === 'ERR_SCENARIO_SELECTION') throw new UsageError((e as Error).message);
      throw e;
    }
    throw new UsageError(sub === undefined ? "say 'list' or 'run'" : `unknown subcommand '${sub}' (list, run)`);
  },
};

async function list(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options: SELECTION, strict: true, allowPositionals: true });
  if (positionals.length) throw new UsageError(`'list' takes no scenario ids (got ${positionals.join(' ')})`);
  const [{ SCENARIOS }, { selectScenarios, splitList }, { catalogTable }] = await Promise.all([
    import('../scenarios/catalog.js'),
    import('../scenarios/select.js'),
    import('../scenarios/report/catalog-table.js'),
  ]);
  const chosen = selectScenarios(SCENARIOS, { tags: splitList(values.tag), flows: splitList(values.flow) });
  process.stdout.write(
    values.json ? JSON.stringify(chosen.map((s) => ({ id: s.id, title: s.title, flow: s.flow, tags: s.tags, needs: s.needs })), null, 2) + '\n' : catalogTable(chosen),
  );
  return 0;
}

async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options: RUN, strict: true, allowPositionals: true });
  const timeoutMs = timeoutOption(values.timeout);
  if (values.lab !== undefined && (values.only !== undefined || values['plain-http'])) {
    throw new UsageError('--only and --plain-http shape a lab started for the run; they cannot go with --lab');
  }
  if (values.lab !== undefined && !/^https?:\/\/[^/]/.test(values.lab)) throw new UsageError(`--lab wants the console's http(s) URL, got '${values.lab}'`);
  const services = values.only === undefined ? SERVICE_NAMES : onlyOption(values.only);
  const caFile = values.ca;
  if (caFile !== undefined) await readable(caFile, '--ca');

  const [{ SCENARIOS }, { selectScenarios, splitList }, runner, { liveReporter }, { jsonReport }, { junitXml }, { exitStatus }, labs] = await Promise.all([
    import('../scenarios/catalog.js'),
    import('../scenarios/select.js'),
    import('../scenarios/runner.js'),
    import('../scenarios/report/live.js'),
    import('../scenarios/report/json.js'),
    import('../scenarios/report/junit.js'),
    import('../scenarios/result.js'),
    import('../scenarios/lab-for-run.js'),
  ]);
  const chosen = selectScenarios(SCENARIOS, { ids: positionals, tags: splitList(values.tag), flows: splitList(values.flow) });
  // --json owns stdout; the people watching get the live report on stderr then.
  const live = values.json ? (t: string) => process.stderr.write(t) : (t: string) => process.stdout.write(t);

  const lab = values.lab === undefined ? await labs.startLabForRun({ services, plainHttp: values['plain-http'] ?? false }) : await labs.connectLabForRun(values.lab, caFile);
  let result: RunResult;
  try {
    for (const w of lab.warnings) process.stderr.write(`idp-harness scenarios: ${w}\n`);
    result = await runner.runScenarios(chosen, lab.target, { reset: !values['no-reset'], timeoutMs, inProcess: lab.inProcess, listener: liveReporter(live) });
  } finally {
    await lab.stop();
  }
  if (values.junit !== undefined) {
    const { mkdir, writeFile } = await import('node:fs/promises');
    const { dirname } = await import('node:path');
    await mkdir(dirname(values.junit), { recursive: true });
    await writeFile(values.junit, junitXml(result));
    live(`JUnit report: ${values.junit}\n`);
  }
  if (values.json) process.stdout.write(jsonReport(result));
  return exitStatus(result);
}

function timeoutOption(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const s = Number(raw);
  if (!Number.isInteger(s) || s < 1 || s > 600) throw new UsageError(`--timeout takes whole seconds from 1 to 600, got '${raw}'`);
  return s * 1000;
}

function onlyOption(raw: string): ServiceName[] {
  const only = raw.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = only.filter((s) => !(SERVICE_NAMES as readonly string[]).includes(s));
  if (unknown.length || only.length === 0) throw new UsageError(`--only: unknown service(s) ${unknown.join(', ') || '(none given)'} (known: ${SERVICE_NAMES.join(', ')})`);
  return only as ServiceName[];
}

async function readable(file: string, option: string): Promise<void> {
  const { access } = await import('node:fs/promises');
  await access(file).catch(() => {
    throw new UsageError(`${option}: cannot read ${file}`);
  });
}
