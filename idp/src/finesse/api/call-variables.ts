import { finesseError } from './error-handler.js';
import type { CallVariable } from './model.js';
import { child, children, childText, type XmlData } from './xml-body.js';

/** UCCE call variables `callVariable1`–`callVariable10` and ECC variables `user.<name>`. */
export const CALL_VARIABLE_NAME = /^(callVariable([1-9]|10)|user\.[A-Za-z0-9_.[\]-]{1,32})$/;
/** ECC variables hold at most 210 characters in UCCE; the lab applies that to all. */
export const CALL_VARIABLE_MAX = 210;

/**
 * `<mediaProperties><callvariables><CallVariable><name/><value/></CallVariable>…` of a Dialog
 * body (reference A.2.5). UCCE only: on UCCX any call variable is 400 Invalid Input.
 */
export function readCallVariables(body: XmlData, deployment: 'UCCE' | 'UCCX'): CallVariable[] {
  const list = child(body, 'mediaProperties');
  const vars = list ? child(list, 'callvariables') : undefined;
  const items = vars ? children(vars, 'CallVariable') : [];
  if (items.length > 0 && deployment === 'UCCX') {
    throw finesseError('ERR_FINESSE_INVALID_INPUT', 'Call variables are not supported on UCCX.', 'callvariables');
  }
  return items.map((v) => {
    const name = childText(v, 'name') ?? '';
    const value = childText(v, 'value') ?? '';
    checkCallVariable(name, value);
    return { name, value };
  });
}

export function checkCallVariable(name: string, value: string): void {
  if (!CALL_VARIABLE_NAME.test(name)) throw finesseError('ERR_FINESSE_INVALID_INPUT', `'${name}' is not a call variable name.`, 'name');
  if (value.length > CALL_VARIABLE_MAX) throw finesseError('ERR_FINESSE_INVALID_INPUT', `Call variable ${name} is longer than ${CALL_VARIABLE_MAX} characters.`, name);
}

/** Overwrites same-named variables, appends new ones. */
export function mergeCallVariables(into: CallVariable[], updates: readonly CallVariable[]): void {
  for (const u of updates) {
    const existing = into.find((v) => v.name === u.name);
    if (existing) existing.value = u.value;
    else into.push({ ...u });
  }
}
