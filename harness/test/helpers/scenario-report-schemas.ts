import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import { XmlDocument, XmlValidateError, XsdValidator } from 'libxml2-wasm';
import { projectRoot } from '../../../idp/src/shared/paths.js';

/**
 * Validators for the two machine-readable scenario reports, from the schema files the project
 * publishes (harness/schemas/): the JSON report with ajv (draft-07), the JUnit XML with libxml2's
 * XSD validator. Each returns the list of problems ([] when valid), so a test can show them.
 */

const schemaDir = join(projectRoot, 'harness', 'schemas');

// ajv knows no formats by itself (ajv-formats is not a dependency): the two the schema uses.
const ajv = new Ajv({
  allErrors: true,
  strict: true,
  formats: {
    'date-time': (s: string) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(s) && !Number.isNaN(Date.parse(s)),
    uri: (s: string) => URL.canParse(s),
  },
});
const validateJson = ajv.compile(JSON.parse(readFileSync(join(schemaDir, 'scenario-report.schema.json'), 'utf8')) as object);

export function jsonReportProblems(report: unknown): string[] {
  if (validateJson(report)) return [];
  return (validateJson.errors ?? []).map((e: ErrorObject) => `${e.instancePath || '/'} ${e.message ?? ''}`);
}

let xsd: XsdValidator | undefined;

export function junitProblems(xml: string): string[] {
  if (!xsd) {
    const schemaDoc = XmlDocument.fromString(readFileSync(join(schemaDir, 'junit.xsd'), 'utf8'));
    try {
      xsd = XsdValidator.fromDoc(schemaDoc);
    } finally {
      schemaDoc.dispose();
    }
  }
  const doc = XmlDocument.fromString(xml);
  try {
    xsd.validate(doc);
    return [];
  } catch (e) {
    if (e instanceof XmlValidateError) return e.details.map((d) => `line ${d.line}: ${d.message.trim()}`);
    throw e;
  } finally {
    doc.dispose();
  }
}
