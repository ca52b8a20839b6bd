import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SPEC_JSON_SCHEMA } from './json-schema';

it('the shipped slo-spec.schema.json is the one okome-slo schema prints', () => {
  const shipped = JSON.parse(
    readFileSync(join(__dirname, '..', '..', 'slo-spec.schema.json'), 'utf8'),
  ) as unknown;
  expect(shipped).toEqual(JSON.parse(JSON.stringify(SPEC_JSON_SCHEMA)));
});
