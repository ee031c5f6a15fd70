// `activate()` inside a fake VS Code: the `vscode` module and the language client are replaced
// (through Node's module loader) by recording fakes, so what the extension registers, starts and
// sends can be checked without VS Code.
import { test, beforeEach } from 'node:test';
import * as assert from 'node:assert/strict';
import Module = require('node:module');

type Listener = (event: { affectsConfiguration(section: string): boolean }) => void;

interface FakeClient {
  id: string;
  name: string;
  serverOptions: { command: string; args: string[] };
  clientOptions: Record<string, any>;
  started: number;
  stopped: number;
}

const state = {
  settings: {} as Record<string, unknown>,
  commands: new Map<string, (...args: any[]) => any>(),
  executed: [] as { command: string; args: unknown[] }[],
  codeActions: [] as any[],
  appliedEdits: [] as unknown[],
  infoMessages: [] as string[],
  errorMessages: [] as string[],
  shownChannels: 0,
  configListeners: [] as Listener[],
  clients: [] as FakeClient[],
  failStart: false,
  activeEditor: undefined as any,
};

class Range {
  constructor(
    public start: unknown,
    public end: unknown,
  ) {}
}

const fakeVscode = {
  Range,
  window: {
    createOutputChannel: (name: string, options: unknown) => ({
      name,
      options,
      show: () => {
        state.shownChannels += 1;
      },
      error: () => {},
      warn: () => {},
      dispose: () => {},
    }),
    showErrorMessage: async (message: string) => {
      state.errorMessages.push(message);
      return undefined;
    },
    showInformationMessage: async (message: string) => {
      state.infoMessages.push(message);
      return undefined;
    },
    get activeTextEditor() {
      return state.activeEditor;
    },
  },
  workspace: {
    workspaceFolders: [{ uri: { fsPath: '/work/repo' } }],
    getConfiguration: (section?: string) => ({
      get: (key: string) => {
        const path = section ? `${section}.${key}` : key;
        if (path === 'nixwise') {
          return state.settings;
        }
        return path.startsWith('nixwise.') ? state.settings[path.slice('nixwise.'.length)] : undefined;
      },
    }),
    onDidChangeConfiguration: (listener: Listener) => {
      state.configListeners.push(listener);
      return { dispose: () => {} };
    },
    applyEdit: async (edit: unknown) => {
      state.appliedEdits.push(edit);
      return true;
    },
  },
  commands: {
    registerCommand: (name: string, callback: (...args: any[]) => any) => {
      state.commands.set(name, callback);
      return { dispose: () => state.commands.delete(name) };
    },
    executeCommand: async (command: string, ...args: unknown[]) => {
      state.executed.push({ command, args });
      return command === 'vscode.executeCodeActionProvider' ? state.codeActions : undefined;
    },
  },
};

class LanguageClient implements FakeClient {
  started = 0;
  stopped = 0;
  constructor(
    public id: string,
    public name: string,
    public serverOptions: { command: string; args: string[] },
    public clientOptions: Record<string, any>,
  ) {
    state.clients.push(this);
  }
  async start() {
    this.started += 1;
    if (state.failStart) {
      throw new Error(`spawn ${this.serverOptions.command} ENOENT`);
    }
  }
  async stop() {
    this.stopped += 1;
  }
}

const moduleInternals = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
const originalLoad = moduleInternals._load;
moduleInternals._load = function (request: string, ...rest: unknown[]) {
  if (request === 'vscode') {
    return fakeVscode;
  }
  if (request === 'vscode-languageclient/node') {
    return { LanguageClient };
  }
  return originalLoad.call(this, request, ...rest);
};

// Loaded after the hook, so that its `require('vscode')` gets the fake.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const extension = require('../src/extension') as typeof import('../src/extension');

function context() {
  return { subscriptions: [] as { dispose(): unknown }[] };
}

beforeEach(async () => {
  await extension.deactivate();
  state.settings = { lints: { 'bool-comparison': 'off' }, exclude: [], path: null };
  state.commands.clear();
  state.executed = [];
  state.codeActions = [];
  state.appliedEdits = [];
  state.infoMessages = [];
  state.errorMessages = [];
  state.shownChannels = 0;
  state.configListeners = [];
  state.clients = [];
  state.failStart = false;
  state.activeEditor = undefined;
});

test('activate starts `nixwise server` with the settings and registers the commands', async () => {
  const ctx = context();
  await extension.activate(ctx as any);
  assert.equal(state.clients.length, 1);
  const [client] = state.clients;
  assert.equal(client.started, 1);
  assert.deepEqual(client.serverOptions, { command: 'nixwise', args: ['server'] });
  assert.deepEqual(client.clientOptions.documentSelector, [
    { scheme: 'file', language: 'nix' },
    { scheme: 'untitled', language: 'nix' },
  ]);
  // The client answers `workspace/configuration` and sends changes for this section.
  assert.equal(client.clientOptions.synchronize.configurationSection, 'nixwise');
  assert.deepEqual(client.clientOptions.initializationOptions, { nixwise: state.settings });
  assert.equal(client.clientOptions.diagnosticCollectionName, 'nixwise');
  assert.deepEqual([...state.commands.keys()].sort(), [
    'nixwise.fixAll',
    'nixwise.restartServer',
    'nixwise.showOutput',
  ]);
  assert.ok(ctx.subscriptions.length >= 5, 'everything registered is disposed with the extension');
});

test('nixwise.path chooses the binary, and changing it restarts the server', async () => {
  state.settings.path = '${workspaceFolder}/target/debug/nixwise';
  await extension.activate(context() as any);
  assert.equal(state.clients[0].serverOptions.command, '/work/repo/target/debug/nixwise');

  state.settings.path = '/opt/nixwise';
  for (const listener of state.configListeners) {
    listener({ affectsConfiguration: (section) => section === 'nixwise.lints' });
  }
  assert.equal(state.clients.length, 1, 'a lint level change needs no restart');
  for (const listener of state.configListeners) {
    listener({ affectsConfiguration: (section) => section === 'nixwise.path' });
  }
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(state.clients.length, 2);
  assert.equal(state.clients[0].stopped, 1);
  assert.equal(state.clients[1].serverOptions.command, '/opt/nixwise');
  assert.equal(state.clients[1].started, 1);
});

test('the restart command stops the client and starts a new one', async () => {
  await extension.activate(context() as any);
  await state.commands.get('nixwise.restartServer')!();
  assert.equal(state.clients.length, 2);
  assert.equal(state.clients[0].stopped, 1);
  assert.equal(state.clients[1].started, 1);
});

test('a server that cannot start is reported, and activation still succeeds', async () => {
  state.failStart = true;
  await extension.activate(context() as any);
  assert.equal(state.errorMessages.length, 1);
  assert.match(state.errorMessages[0], /could not start `nixwise server`.*ENOENT.*nixwise\.path/);
  assert.ok(state.commands.has('nixwise.restartServer'), 'the user can fix the path and restart');
});

test('show output shows the channel', async () => {
  await extension.activate(context() as any);
  await state.commands.get('nixwise.showOutput')!();
  assert.equal(state.shownChannels, 1);
});

test('fix all runs the server`s source.fixAll.nixwise action on the active document', async () => {
  await extension.activate(context() as any);
  const text = '{ a = x == true; }\n';
  const uri = { toString: () => 'file:///work/repo/a.nix' };
  state.activeEditor = {
    document: {
      uri,
      languageId: 'nix',
      getText: () => text,
      positionAt: (offset: number) => ({ offset }),
    },
  };
  const edit = { label: 'the workspace edit' };
  state.codeActions = [
    { title: 'Something else', kind: { value: 'quickfix' }, edit: { label: 'wrong' } },
    { title: 'Apply all safe nixwise fixes', kind: { value: 'source.fixAll.nixwise' }, edit },
  ];
  await state.commands.get('nixwise.fixAll')!();
  const request = state.executed.find((call) => call.command === 'vscode.executeCodeActionProvider');
  assert.ok(request, 'the code actions were asked for');
  assert.equal(request.args[0], uri);
  assert.deepEqual(request.args[1], new Range({ offset: 0 }, { offset: text.length }));
  assert.equal(request.args[2], 'source.fixAll.nixwise');
  assert.deepEqual(state.appliedEdits, [edit]);

  state.codeActions = [];
  await state.commands.get('nixwise.fixAll')!();
  assert.deepEqual(state.infoMessages, ['nixwise: no safe fixes in this file.']);
});

test('fix all without a Nix editor says so and asks nothing', async () => {
  await extension.activate(context() as any);
  state.activeEditor = { document: { languageId: 'python' } };
  await state.commands.get('nixwise.fixAll')!();
  assert.deepEqual(state.executed, []);
  assert.equal(state.infoMessages.length, 1);
});

test('deactivate stops the server', async () => {
  await extension.activate(context() as any);
  await extension.deactivate();
  assert.equal(state.clients[0].stopped, 1);
});
