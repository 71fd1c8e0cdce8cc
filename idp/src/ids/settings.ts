import { IdsConfigSchema } from '../config/schema.js';
import { IdpError } from '../shared/errors.js';
import type { IdsContext } from './context.js';
import type { TokenSettings } from './tokens/token-service.js';

/** Any subset of the token settings, each within Cisco's range (reference A.1.6); unknown keys refused. */
const SettingsPatch = IdsConfigSchema.shape.tokens.unwrap().partial();

/** Applies a change to the token settings: all of it, or (on any invalid field) none of it. */
export function updateTokenSettings(ctx: IdsContext, input: unknown): TokenSettings {
  const parsed = SettingsPatch.safeParse(input);
  if (!parsed.success) {
    // An unknown key is reported under its own name (zod puts it at the object's path).
    const issues = parsed.error.issues.flatMap((i) =>
      i.code === 'unrecognized_keys'
        ? i.keys.map((k) => ({ path: [...i.path, k].map(String).join('.'), message: 'unknown key' }))
        : [{ path: i.path.map(String).join('.') || '(root)', message: i.message }],
    );
    throw new IdpError('ERR_CONTROL_INVALID', 'invalid IdS token settings', { details: { issues } });
  }
  // Only the fields the caller gave: the schema's defaults must not overwrite the others.
  const given = input as Record<string, unknown>;
  Object.assign(ctx.settings, Object.fromEntries(Object.entries(parsed.data).filter(([k]) => given[k] !== undefined)));
  ctx.log.info({ svc: 'ids', event: 'ids.settings.changed', settings: ctx.settings }, 'IdS token settings changed');
  return { ...ctx.settings };
}
