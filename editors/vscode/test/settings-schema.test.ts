// The settings schema VS Code shows and checks (package.json's contributed configuration), tried
// on settings users write. docs_sync.rs in the server keeps it in step with the lint registry.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

import Ajv from 'ajv';

const manifest = JSON.parse(readFileSync(resolve(__dirname, '../../package.json'), 'utf8'));
const properties: Record<string, object> = manifest.contributes.configuration.properties;
// VS Code's own keywords (`scope`, `markdownDescription`, …) are not JSON Schema's.
const ajv = new Ajv({ strict: false, allErrors: true });
const validators = Object.fromEntries(
  Object.entries(properties).map(([name, schema]) => [name, ajv.compile(schema)]),
);

function valid(name: string, value: unknown): boolean {
  return validators[name](value) as boolean;
}

test('every setting has a schema with a default and a description', () => {
  for (const [name, schema] of Object.entries(properties) as [string, any][]) {
    assert.ok('default' in schema, `${name} has no default`);
    assert.ok(schema.markdownDescription || schema.description, `${name} has no description`);
    assert.ok(valid(name, schema.default), `${name}'s default does not match its own schema`);
  }
});

test('lint levels by name and by code, and lint options, are accepted', () => {
  assert.ok(valid('nixwise.lints', { 'bool-comparison': 'off', NIX011: 'error', nix002: 'hint' }));
  assert.ok(valid('nixwise.lints', { 'unused-lambda-arg': { level: 'warning', 'warn-used-underscore': true } }));
  assert.ok(valid('nixwise.lints', { 'unused-pattern-binding': { 'strict-patterns': true } }));
  assert.ok(valid('nixwise.exclude', ['generated/**']));
  assert.ok(valid('nixwise.reference-date', '2026-01-31'));
  assert.ok(valid('nixwise.reference-date', null));
  assert.ok(valid('nixwise.path', '~/bin/nixwise'));
  assert.ok(valid('nixwise.trace.server', 'verbose'));
});

test('what the server would refuse is flagged in the editor', () => {
  assert.ok(!valid('nixwise.lints', { 'bool-comparison': 'loud' }), 'a level that does not exist');
  assert.ok(!valid('nixwise.lints', { 'no-such-lint': 'off' }), 'a lint that does not exist');
  assert.ok(!valid('nixwise.lints', { 'bool-comparison': { 'strict-patterns': true } }), 'another lint`s option');
  assert.ok(!valid('nixwise.lints', { 'unused-lambda-arg': { 'warn-used-underscore': 'yes' } }), 'an option of the wrong type');
  assert.ok(!valid('nixwise.exclude', 'generated/**'));
  assert.ok(!valid('nixwise.reference-date', 'tomorrow'));
  assert.ok(!valid('nixwise.trace.server', 'loud'));
});

test('the commands are contributed and the extension activates on Nix files', () => {
  const commands = manifest.contributes.commands.map((command: { command: string }) => command.command);
  assert.deepEqual(commands.sort(), ['nixwise.fixAll', 'nixwise.restartServer', 'nixwise.showOutput']);
  assert.ok(manifest.activationEvents.includes('onLanguage:nix'));
  assert.deepEqual(manifest.contributes.languages[0].extensions, ['.nix']);
  assert.equal(manifest.main, './dist/extension.js');
});
