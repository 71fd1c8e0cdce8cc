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
    throw new IdpError('ERR_CONTROL_INVALID', 'invalid IdS token settings', {
      details: { issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) },
    });
  }
  Object.assign(ctx.settings, parsed.data);
  ctx.log.info({ svc: 'ids', event: 'ids.settings.changed', settings: ctx.settings }, 'IdS token settings changed');
  return { ...ctx.settings };
}
