// What the extension decides without VS Code: which binary to start, how, and what the client
// tells the server. Kept free of the `vscode` module so that it can be tested as plain functions.

/** The configuration section the server reads, and the prefix of every setting. */
export const SECTION = 'nixwise';

/** The code action kind of the server's "apply every safe fix" action. */
export const FIX_ALL_KIND = 'source.fixAll.nixwise';

/** The documents nixwise checks: Nix files on disk and unsaved Nix buffers. */
export const DOCUMENT_SELECTOR = [
  { scheme: 'file', language: 'nix' },
  { scheme: 'untitled', language: 'nix' },
];

export interface ServerCommand {
  command: string;
  args: string[];
}

/**
 * The binary to start: the `nixwise.path` setting with `~` and `${workspaceFolder}` expanded, or
 * `nixwise`, found on `PATH`, when the setting is unset or blank.
 */
export function resolveServerPath(
  configured: unknown,
  home: string | undefined,
  workspaceFolder: string | undefined,
): string {
  if (typeof configured !== 'string' || configured.trim() === '') {
    return 'nixwise';
  }
  let path = configured.trim();
  if (home && (path === '~' || path.startsWith('~/'))) {
    path = home + path.slice(1);
  }
  if (workspaceFolder !== undefined) {
    path = path.split('${workspaceFolder}').join(workspaceFolder);
  }
  return path;
}

/** `nixwise server` over stdio. */
export function serverCommand(path: string): ServerCommand {
  return { command: path, args: ['server'] };
}

/**
 * The `initializationOptions`: the `nixwise` settings wrapped in their section, as the server
 * accepts them. The server pulls the same section again with `workspace/configuration`.
 */
export function initializationOptions(settings: unknown): { nixwise: Record<string, unknown> } {
  const section =
    settings !== null && typeof settings === 'object' && !Array.isArray(settings)
      ? (settings as Record<string, unknown>)
      : {};
  return { nixwise: { ...section } };
}

/** A one-line message for a server that did not start, with the likely remedy. */
export function startFailureMessage(path: string, error: unknown): string {
  const reason = error instanceof Error ? error.message : String(error);
  const missing = /ENOENT|not found/i.test(reason);
  const remedy = missing
    ? 'Install nixwise (`cargo install --path server` or `nix profile install github:nixwise/nixwise`) or set `nixwise.path`.'
    : 'See the nixwise output channel.';
  return `nixwise: could not start \`${path} server\`: ${reason}. ${remedy}`;
}
