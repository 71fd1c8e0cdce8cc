import type { z } from 'zod';
import { IdpError, type IdpErrorCode } from '../../shared/errors.js';

/** One problem with one field of an admin request: the path (dotted), a stable code and a sentence. */
export interface FieldError {
  field: string;
  code: IdpErrorCode;
  message: string;
}

/**
 * Collects every problem of an admin request before anything changes, so that the answer lists
 * them all at once and a rejected change changes nothing.
 */
export class FieldErrors {
  readonly list: FieldError[] = [];

  add(field: string, code: IdpErrorCode, message: string): void {
    this.list.push({ field, code, message });
  }

  addZod(error: z.ZodError, prefix = ''): void {
    for (const i of error.issues) {
      const path = [prefix, ...i.path.map(String)].filter((p) => p !== '').join('.');
      this.add(path || '(body)', 'ERR_CXONE_VALIDATION', i.message);
    }
  }

  get empty(): boolean {
    return this.list.length === 0;
  }

  /** Throws the whole list as one ERR_CXONE_VALIDATION (or the single field's own code when there is one problem of a specific kind). */
  throwIfAny(summary = 'The request has invalid fields.'): void {
    if (this.empty) return;
    const only = this.list.length === 1 ? this.list[0]! : undefined;
    const code = only && only.code !== 'ERR_CXONE_VALIDATION' ? only.code : 'ERR_CXONE_VALIDATION';
    const conflict = code === 'ERR_CXONE_NAME_TAKEN' || code === 'ERR_CXONE_USERNAME_TAKEN' || code === 'ERR_CXONE_EXTERNAL_IDENTITY_TAKEN';
    throw new IdpError(code, only ? `${only.field}: ${only.message}` : summary, {
      status: conflict ? 409 : 400,
      details: { fieldErrors: this.list },
    });
  }
}
