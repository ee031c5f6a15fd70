// The nixwise extension: starts `nixwise server` for Nix files and adds three commands. All the
// checking is done by the server; the client's default features answer its configuration pulls
// from the `nixwise` settings and tell it when they change.
import * as vscode from 'vscode';
import { LanguageClient, LanguageClientOptions, ServerOptions } from 'vscode-languageclient/node';

import {
  DOCUMENT_SELECTOR,
  FIX_ALL_KIND,
  SECTION,
  initializationOptions,
  resolveServerPath,
  serverCommand,
  startFailureMessage,
} from './config';

let client: LanguageClient | undefined;
let output: vscode.LogOutputChannel | undefined;

function serverPath(): string {
  const configured = vscode.workspace.getConfiguration(SECTION).get<string | null>('path');
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  return resolveServerPath(configured, process.env.HOME, folder);
}

function createClient(path: string, channel: vscode.LogOutputChannel): LanguageClient {
  const command = serverCommand(path);
  const serverOptions: ServerOptions = { command: command.command, args: command.args };
  const clientOptions: LanguageClientOptions = {
    documentSelector: DOCUMENT_SELECTOR,
    synchronize: { configurationSection: SECTION },
    initializationOptions: initializationOptions(vscode.workspace.getConfiguration().get(SECTION)),
    outputChannel: channel,
    diagnosticCollectionName: 'nixwise',
  };
  return new LanguageClient('nixwise', 'nixwise', serverOptions, clientOptions);
}

/** Starts a client for the current `nixwise.path`; a failure is shown, never thrown. */
async function start(channel: vscode.LogOutputChannel): Promise<void> {
  const path = serverPath();
  const next = createClient(path, channel);
  client = next;
  try {
    await next.start();
  } catch (error) {
    const message = startFailureMessage(path, error);
    channel.error(message);
    const choice = await vscode.window.showErrorMessage(message, 'Show Output');
    if (choice === 'Show Output') {
      channel.show(true);
    }
  }
}

async function stop(): Promise<void> {
  const running = client;
  client = undefined;
  if (running) {
    try {
      await running.stop();
    } catch (error) {
      output?.warn(`nixwise: stopping the server failed: ${String(error)}`);
    }
  }
}

/** Stops the server and starts it again with the current settings and `nixwise.path`. */
export async function restart(): Promise<void> {
  if (!output) {
    return;
  }
  await stop();
  await start(output);
}

/** Applies every safe fix nixwise has for the active Nix document. */
export async function fixAll(): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!editor || editor.document.languageId !== 'nix') {
    await vscode.window.showInformationMessage('nixwise: open a Nix file to fix it.');
    return;
  }
  const document = editor.document;
  const whole = new vscode.Range(document.positionAt(0), document.positionAt(document.getText().length));
  const actions =
    (await vscode.commands.executeCommand<vscode.CodeAction[]>(
      'vscode.executeCodeActionProvider',
      document.uri,
      whole,
      FIX_ALL_KIND,
    )) ?? [];
  const action = actions.find((candidate) => candidate.kind?.value === FIX_ALL_KIND);
  if (!action) {
    await vscode.window.showInformationMessage('nixwise: no safe fixes in this file.');
    return;
  }
  if (action.edit) {
    await vscode.workspace.applyEdit(action.edit);
  }
  if (action.command) {
    await vscode.commands.executeCommand(action.command.command, ...(action.command.arguments ?? []));
  }
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const channel = vscode.window.createOutputChannel('nixwise', { log: true });
  output = channel;
  context.subscriptions.push(
    channel,
    vscode.commands.registerCommand('nixwise.restartServer', restart),
    vscode.commands.registerCommand('nixwise.fixAll', fixAll),
    vscode.commands.registerCommand('nixwise.showOutput', () => channel.show(true)),
    vscode.workspace.onDidChangeConfiguration((event) => {
      // Settings other than the path reach the running server through the client.
      if (event.affectsConfiguration(`${SECTION}.path`)) {
        void restart();
      }
    }),
    { dispose: () => void stop() },
  );
  await start(channel);
}

export async function deactivate(): Promise<void> {
  await stop();
  output = undefined;
}
