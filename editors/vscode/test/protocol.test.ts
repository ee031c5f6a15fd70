// The built `nixwise server` driven through vscode-languageserver-protocol and vscode-jsonrpc,
// the libraries vscode-languageclient is made of, with the settings answered as the client answers
// them from VS Code's `nixwise` section (contributed defaults included).
import { test, after } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawn, ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import {
  CodeActionRequest,
  ConfigurationRequest,
  DidChangeConfigurationNotification,
  DidOpenTextDocumentNotification,
  ExitNotification,
  InitializedNotification,
  InitializeRequest,
  PublishDiagnosticsNotification,
  PublishDiagnosticsParams,
  ShowMessageNotification,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
  TextEdit,
  createProtocolConnection,
  ProtocolConnection,
} from 'vscode-languageserver-protocol/node';

import { nixwiseBin } from './server';

const folder = mkdtempSync(join(tmpdir(), 'nixwise-vscode-'));
// Servers still running when a test fails would keep the test runner waiting forever.
const children: ChildProcess[] = [];
after(() => {
  for (const child of children) child.kill();
  rmSync(folder, { recursive: true, force: true });
});

/** What VS Code returns for `getConfiguration().get('nixwise')` with the package.json defaults. */
function vscodeSettings(lints: Record<string, unknown> = {}) {
  return { path: null, lints, exclude: [], 'reference-date': null, trace: { server: 'off' } };
}

interface Session {
  connection: ProtocolConnection;
  child: ChildProcess;
  published: PublishDiagnosticsParams[];
  messages: string[];
  settings: { value: unknown };
  waitFor(uri: string, version: number, done: (params: PublishDiagnosticsParams) => boolean): Promise<PublishDiagnosticsParams>;
  close(): Promise<void>;
}

async function startSession(): Promise<Session> {
  const child = spawn(nixwiseBin(), ['server'], { cwd: folder, stdio: ['pipe', 'pipe', 'inherit'] });
  children.push(child);
  const connection = createProtocolConnection(
    new StreamMessageReader(child.stdout!),
    new StreamMessageWriter(child.stdin!),
  );
  const published: PublishDiagnosticsParams[] = [];
  const messages: string[] = [];
  const settings = { value: vscodeSettings() as unknown };
  const waiters: (() => void)[] = [];
  connection.onNotification(PublishDiagnosticsNotification.type, (params) => {
    published.push(params);
    waiters.splice(0).forEach((wake) => wake());
  });
  connection.onNotification(ShowMessageNotification.type, (params) => {
    messages.push(params.message);
  });
  // As vscode-languageclient's configuration feature does: the value of each requested section.
  connection.onRequest(ConfigurationRequest.type, (params) =>
    params.items.map((item) => (item.section === 'nixwise' ? settings.value : null)),
  );
  connection.listen();

  await connection.sendRequest(InitializeRequest.type, {
    processId: process.pid,
    rootUri: pathToFileURL(folder).href,
    workspaceFolders: [{ uri: pathToFileURL(folder).href, name: 'test' }],
    initializationOptions: { nixwise: settings.value },
    capabilities: {
      workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: true } },
      textDocument: {
        publishDiagnostics: { versionSupport: true },
        codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix', 'source'] } } },
      },
    },
  });
  await connection.sendNotification(InitializedNotification.type, {});

  const waitFor = (uri: string, version: number, done: (params: PublishDiagnosticsParams) => boolean) =>
    new Promise<PublishDiagnosticsParams>((resolve, reject) => {
      // A safety net against a hung test, not a statement about speed.
      const timer = setTimeout(() => reject(new Error(`no matching diagnostics for ${uri} v${version}: ${JSON.stringify(published)}`)), 60_000);
      const check = () => {
        const found = published.find((params) => params.uri === uri && params.version === version && done(params));
        if (found) {
          clearTimeout(timer);
          resolve(found);
        } else {
          waiters.push(check);
        }
      };
      check();
    });

  const close = async () => {
    await connection.sendRequest(ShutdownRequest.type);
    await connection.sendNotification(ExitNotification.type);
    const code = await new Promise<number | null>((resolve) => {
      if (child.exitCode !== null) resolve(child.exitCode);
      else child.once('exit', (exitCode) => resolve(exitCode));
    });
    connection.dispose();
    assert.equal(code, 0, 'the server exits cleanly after shutdown and exit');
  };
  return { connection, child, published, messages, settings, waitFor, close };
}

function applyEdits(text: string, edits: TextEdit[]): string {
  const offset = (line: number, character: number) => {
    const lines = text.split('\n');
    let at = 0;
    for (let index = 0; index < line; index += 1) at += lines[index].length + 1;
    // JavaScript strings are UTF-16, as LSP positions are.
    return at + character;
  };
  const spans = edits
    .map((edit) => ({
      start: offset(edit.range.start.line, edit.range.start.character),
      end: offset(edit.range.end.line, edit.range.end.character),
      text: edit.newText,
    }))
    .sort((a, b) => b.start - a.start);
  return spans.reduce((acc, span) => acc.slice(0, span.start) + span.text + acc.slice(span.end), text);
}

const TEXT = '{\n  greeting = "héllo 👋";\n  enable = (1 < 2) == true;\n  pkgs = let in 1;\n}\n';

test('diagnostics, a quick fix and fix-all from the built server', async () => {
  const session = await startSession();
  const path = join(folder, 'default.nix');
  writeFileSync(path, TEXT);
  const uri = pathToFileURL(path).href;
  await session.connection.sendNotification(DidOpenTextDocumentNotification.type, {
    textDocument: { uri, languageId: 'nix', version: 1, text: TEXT },
  });
  const published = await session.waitFor(uri, 1, (params) => params.diagnostics.length >= 2);
  const codes = published.diagnostics.map((diagnostic) => diagnostic.code).sort();
  assert.deepEqual(codes, ['bool-comparison', 'empty-let-in']);
  const comparison = published.diagnostics.find((diagnostic) => diagnostic.code === 'bool-comparison')!;
  assert.equal(comparison.source, 'nixwise');
  assert.deepEqual(comparison.range, { start: { line: 2, character: 11 }, end: { line: 2, character: 26 } });

  const actions = await session.connection.sendRequest(CodeActionRequest.type, {
    textDocument: { uri },
    range: comparison.range,
    context: { diagnostics: [comparison], only: ['quickfix'] },
  });
  assert.ok(Array.isArray(actions) && actions.length === 1, JSON.stringify(actions));
  const quickFix = actions[0] as { kind?: string; isPreferred?: boolean; edit?: { changes?: Record<string, TextEdit[]> } };
  assert.equal(quickFix.kind, 'quickfix');
  assert.equal(quickFix.isPreferred, true);
  assert.equal(
    applyEdits(TEXT, quickFix.edit!.changes![uri]),
    '{\n  greeting = "héllo 👋";\n  enable = (1 < 2);\n  pkgs = let in 1;\n}\n',
  );

  // What the extension's "fix all" command asks for.
  const fixAll = await session.connection.sendRequest(CodeActionRequest.type, {
    textDocument: { uri },
    range: { start: { line: 0, character: 0 }, end: { line: 5, character: 0 } },
    context: { diagnostics: [], only: ['source.fixAll.nixwise'] },
  });
  assert.ok(Array.isArray(fixAll) && fixAll.length === 1, JSON.stringify(fixAll));
  const all = fixAll[0] as { kind?: string; edit?: { changes?: Record<string, TextEdit[]> } };
  assert.equal(all.kind, 'source.fixAll.nixwise');
  assert.equal(
    applyEdits(TEXT, all.edit!.changes![uri]),
    '{\n  greeting = "héllo 👋";\n  enable = 1 < 2;\n  pkgs = 1;\n}\n',
  );
  assert.deepEqual(session.messages, [], 'the VS Code-shaped settings raise no complaint');
  await session.close();
});

test('a changed lint level reaches the server through the configuration pull', async () => {
  const session = await startSession();
  const path = join(folder, 'settings.nix');
  writeFileSync(path, TEXT);
  const uri = pathToFileURL(path).href;
  await session.connection.sendNotification(DidOpenTextDocumentNotification.type, {
    textDocument: { uri, languageId: 'nix', version: 1, text: TEXT },
  });
  await session.waitFor(uri, 1, (params) => params.diagnostics.some((d) => d.code === 'bool-comparison'));

  // What vscode-languageclient sends when a `nixwise` setting changes; the server pulls again.
  session.settings.value = vscodeSettings({ 'bool-comparison': 'off', NIX002: 'error' });
  await session.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: null });
  const after = await session.waitFor(
    uri,
    1,
    (params) => !params.diagnostics.some((d) => d.code === 'bool-comparison'),
  );
  const emptyLet = after.diagnostics.find((diagnostic) => diagnostic.code === 'empty-let-in');
  assert.equal(emptyLet?.severity, 1, 'NIX002 set to error by its code');

  // A bad setting is reported once, and the good ones still apply.
  session.settings.value = vscodeSettings({ 'bool-comparison': 'loud' });
  await session.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: null });
  await session.waitFor(uri, 1, (params) => params.diagnostics.some((d) => d.code === 'bool-comparison'));
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(session.messages.length, 1, JSON.stringify(session.messages));
  assert.match(session.messages[0], /lints\.bool-comparison/);
  await session.close();
});
