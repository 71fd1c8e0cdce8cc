import type { z } from 'zod';
import { IdpError } from '../shared/errors.js';

/**
 * A keyed, validated, in-memory collection: what the control API and fixtures add, change and
 * remove at runtime. Every write is validated against the same schema as the fixture files, and a
 * rejected write changes nothing.
 */
export class Collection<S extends z.ZodType, T = z.output<S>> {
  private items = new Map<string, T>();

  constructor(
    private readonly what: string,
    private readonly schema: S,
    private readonly keyOf: (item: T) => string,
    /** Prepares a validated item (resolve references...); may throw IdpError. */
    private readonly prepare: (item: z.output<S>) => T = (i) => i as unknown as T,
    /** Cross-item invariants (e.g. unique identifiers); throws ERR_CONTROL_CONFLICT. */
    private readonly checkUnique: (item: T, others: Iterable<T>) => void = () => {},
  ) {}

  list(): T[] {
    return [...this.items.values()];
  }

  get(key: string): T | undefined {
    return this.items.get(key.toLowerCase());
  }

  require(key: string): T {
    const item = this.get(key);
    if (!item) throw new IdpError('ERR_CONTROL_NOT_FOUND', `${this.what} '${key}' not found`, { status: 404 });
    return item;
  }

  add(input: unknown): T {
    const item = this.validate(input);
    const key = this.keyOf(item).toLowerCase();
    if (this.items.has(key)) {
      throw new IdpError('ERR_CONTROL_CONFLICT', `${this.what} '${this.keyOf(item)}' already exists`, { status: 409 });
    }
    this.checkUnique(item, this.items.values());
    this.items.set(key, item);
    return item;
  }

  /** Replaces the item at `key` (its key may change, as long as the new one is free). */
  replace(key: string, input: unknown): T {
    const old = this.require(key);
    const item = this.validate(input);
    const newKey = this.keyOf(item).toLowerCase();
    const oldKey = this.keyOf(old).toLowerCase();
    if (newKey !== oldKey && this.items.has(newKey)) {
      throw new IdpError('ERR_CONTROL_CONFLICT', `${this.what} '${this.keyOf(item)}' already exists`, { status: 409 });
    }
    this.checkUnique(item, [...this.items.values()].filter((o) => o !== old));
    this.items.delete(oldKey);
    this.items.set(newKey, item);
    return item;
  }

  remove(key: string): T {
    const item = this.require(key);
    this.items.delete(this.keyOf(item).toLowerCase());
    return item;
  }

  /** Replaces the whole content (fixtures at start and on reset); all-or-nothing. */
  load(inputs: unknown[]): void {
    const next = new Collection(this.what, this.schema, this.keyOf, this.prepare, this.checkUnique);
    inputs.forEach((input, i) => {
      try {
        next.add(input);
      } catch (e) {
        if (e instanceof IdpError) {
          throw new IdpError('ERR_FIXTURE_INVALID', `${this.what} #${i}: ${e.message}`, { details: { index: i, ...e.details } });
        }
        throw e;
      }
    });
    this.items = next.items;
  }

  private validate(input: unknown): T {
    const parsed = this.schema.safeParse(input);
    if (!parsed.success) {
      // One issue per unknown key, each with its own field path.
      const issues = parsed.error.issues.flatMap((i) =>
        i.code === 'unrecognized_keys'
          ? i.keys.map((k) => ({ path: [...i.path, k].map(String).join('.'), message: 'unknown key' }))
          : [{ path: i.path.map(String).join('.') || '(root)', message: i.message }],
      );
      throw new IdpError(
        'ERR_CONTROL_INVALID',
        `invalid ${this.what}: ` + issues.map((i) => `${i.path}: ${i.message}`).join('; '),
        { details: { issues } },
      );
    }
    return this.prepare(parsed.data);
  }
}
