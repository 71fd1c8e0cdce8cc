import type { LabConfig, ServiceName } from '../../../idp/src/config/schema.js';
import type { LabControl } from '../control/lab-control.js';

/** The flows of DESIGN.md §1 a scenario belongs to. */
export type Flow = 'F1' | 'F2' | 'F3' | 'F4' | 'F5' | 'F6' | 'F7';

/** The running lab a scenario drives: only over the wire, so in-process and remote labs are alike. */
export interface ScenarioTarget {
  /** The public URL of every running service, as the console reports them. */
  urls: Partial<Record<ServiceName, string>>;
  /** The control API as typed functions (faults, clock, users, reset…). */
  control: LabControl;
  /** The lab's resolved configuration (ports, tenant, token lifetimes…), from the control API. */
  config: LabConfig;
  /** The lab CA (PEM) to trust when services run on TLS. */
  ca?: string;
}

export interface ScenarioContext {
  readonly target: ScenarioTarget;
  /**
   * One named step of the scenario, reported live with its duration; a step that throws fails the
   * scenario (later steps do not run) and its message is the failure's reason.
   */
  step<T>(name: string, fn: () => Promise<T>): Promise<T>;
  /** A line of detail in the report (e.g. the token's `expires_in`). */
  note(text: string): void;
}

export interface Scenario {
  /** Stable kebab-case id: what `idp-harness scenarios run <id>` takes and JUnit names the case. */
  id: string;
  /** One line for humans. */
  title: string;
  flow: Flow;
  /** Free tags for selection (`--tag negative`): 'saml', 'oidc', 'cisco', 'cxone', 'ficam', 'negative'… */
  tags: readonly string[];
  /** The services it needs; it is reported as skipped when one of them does not run. */
  needs: readonly ServiceName[];
  run(ctx: ScenarioContext): Promise<void>;
}

/** A check of a scenario that did not hold: thrown by `expectThat` and by scenario code. */
export class ScenarioFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScenarioFailure';
  }
}

/** Throws a `ScenarioFailure` with `message` unless `condition` holds. */
export function expectThat(condition: unknown, message: string): asserts condition {
  if (!condition) throw new ScenarioFailure(message);
}
