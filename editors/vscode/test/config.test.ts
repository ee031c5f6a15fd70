// The extension's decisions that need no VS Code: the binary, the command, the options.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';

import {
  DOCUMENT_SELECTOR,
  initializationOptions,
  resolveServerPath,
  serverCommand,
  startFailureMessage,
} from '../src/config';

test('an unset or blank path means nixwise from PATH', () => {
  for (const configured of [undefined, null, '', '   ', 42]) {
    assert.equal(resolveServerPath(configured, '/home/me', '/work'), 'nixwise');
  }
});

test('a configured path has ~ and ${workspaceFolder} expanded', () => {
  assert.equal(resolveServerPath('~/bin/nixwise', '/home/me', undefined), '/home/me/bin/nixwise');
  assert.equal(resolveServerPath('~', '/home/me', undefined), '/home/me');
  assert.equal(
    resolveServerPath('${workspaceFolder}/target/debug/nixwise', '/home/me', '/work/repo'),
    '/work/repo/target/debug/nixwise',
  );
  // Without a folder the variable stays, so the error names what the user wrote.
  assert.equal(resolveServerPath('${workspaceFolder}/x', undefined, undefined), '${workspaceFolder}/x');
  assert.equal(resolveServerPath(' /opt/nixwise ', undefined, undefined), '/opt/nixwise');
  assert.equal(resolveServerPath('~other/nixwise', '/home/me', undefined), '~other/nixwise');
});

test('the server is started as `nixwise server`', () => {
  assert.deepEqual(serverCommand('/opt/nixwise'), { command: '/opt/nixwise', args: ['server'] });
});

test('initialization options wrap the settings in their section', () => {
  const settings = { lints: { 'bool-comparison': 'off' }, path: null };
  const options = initializationOptions(settings);
  assert.deepEqual(options, { nixwise: settings });
  assert.notEqual(options.nixwise, settings, 'a copy, not the live settings object');
  assert.deepEqual(initializationOptions(undefined), { nixwise: {} });
  assert.deepEqual(initializationOptions([1]), { nixwise: {} });
});

test('Nix files and unsaved Nix buffers are checked', () => {
  assert.deepEqual(
    DOCUMENT_SELECTOR.map((filter) => `${filter.scheme}:${filter.language}`),
    ['file:nix', 'untitled:nix'],
  );
});

test('a missing binary gets an install hint', () => {
  const missing = startFailureMessage('nixwise', new Error('spawn nixwise ENOENT'));
  assert.match(missing, /could not start `nixwise server`: spawn nixwise ENOENT/);
  assert.match(missing, /nixwise\.path/);
  assert.match(startFailureMessage('x', 'crashed'), /output channel/);
});
