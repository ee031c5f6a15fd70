// Builds the extension with esbuild: `node build.mjs` bundles src/extension.ts and its
// dependencies (vscode-languageclient) into dist/extension.js, the one file the .vsix needs;
// `node build.mjs --tests` also compiles src/ and test/ file by file into out/, unbundled, so that
// the tests can replace the `vscode` module and the language client with fakes.
import { build } from 'esbuild';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const tsFiles = (dir) =>
  readdirSync(dir)
    .filter((name) => name.endsWith('.ts'))
    .map((name) => join(dir, name));

await build({
  entryPoints: ['src/extension.ts'],
  outfile: 'dist/extension.js',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  external: ['vscode'],
  sourcemap: true,
  minify: true,
  logLevel: 'warning',
});

if (process.argv.includes('--tests')) {
  await build({
    entryPoints: [...tsFiles('src'), ...tsFiles('test')],
    outdir: 'out',
    outbase: '.',
    bundle: false,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: 'inline',
    logLevel: 'warning',
  });
}
