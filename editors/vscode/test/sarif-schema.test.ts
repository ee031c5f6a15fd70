// `nixwise check --format sarif` validated against the SARIF 2.1.0 JSON schema (the OASIS
// schema as shipped by the @microsoft/jest-sarif package, draft-04), with formats checked.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';

import { nixwiseBin } from './server';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const schema = require('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json');

// The schema's pattern for `language` is not valid with the `u` flag, as JSON Schema's ECMA 262
// regular expressions without it are.
const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
addFormats(ajv);
const validate = ajv.compile(schema);

function sarif(cwd: string, args: string[]): { log: any; status: number | null } {
  const run = spawnSync(nixwiseBin(), ['check', '--format', 'sarif', ...args], { cwd, encoding: 'utf8' });
  assert.ok(run.stdout.length > 0, run.stderr);
  return { log: JSON.parse(run.stdout), status: run.status };
}

function assertValid(log: unknown) {
  const valid = validate(log);
  assert.ok(valid, JSON.stringify(validate.errors, null, 2));
}

test('the SARIF log of the examples is valid SARIF 2.1.0', () => {
  const root = resolve(__dirname, '../../../..');
  const { log, status } = sarif(root, ['examples/']);
  assert.equal(status, 1, 'the examples have findings on purpose');
  assertValid(log);
  assert.ok(log.runs[0].results.length > 5);
  assert.ok(log.runs[0].results.some((result: any) => result.fixes?.length > 0));
});

test('paths that need escaping, related locations and an unreadable file stay valid', () => {
  const folder = mkdtempSync(join(tmpdir(), 'nixwise-sarif-'));
  try {
    writeFileSync(join(folder, 'nixwise.toml'), '');
    mkdirSync(join(folder, 'a dir#1'));
    writeFileSync(join(folder, 'a dir#1', 'ü.nix'), 'let x = 1; y = 2; in { z = x == true; u = https://e.org; }\n');
    writeFileSync(join(folder, 'broken.nix'), '{ a = ; }\n');
    const { log, status } = sarif(folder, ['.', 'missing.nix']);
    assert.equal(status, 2);
    assertValid(log);
    const uris = new Set(log.runs[0].results.map((result: any) => result.locations[0].physicalLocation.artifactLocation.uri));
    assert.ok(uris.has('a%20dir%231/%C3%BC.nix'), [...uris].join(', '));
    assert.equal(log.runs[0].invocations[0].executionSuccessful, false);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});

test('the validator rejects what is not SARIF', () => {
  const folder = resolve(__dirname, '../../../..');
  const { log } = sarif(folder, ['examples/flake']);
  const broken = structuredClone(log);
  broken.runs[0].results[0].level = 'warn';
  assert.equal(validate(broken), false);
  const noRegionLine = structuredClone(log);
  noRegionLine.runs[0].results[0].locations[0].physicalLocation.region.startLine = 0;
  assert.equal(validate(noRegionLine), false);
});
