// Where the tests find the built nixwise: NIXWISE_BIN, else the workspace's debug build.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

export function nixwiseBin(): string {
  const configured = process.env.NIXWISE_BIN;
  const bin = configured ? resolve(configured) : resolve(__dirname, '../../../../target/debug/nixwise');
  if (!existsSync(bin)) {
    throw new Error(`no nixwise binary at ${bin}: run \`cargo build\` or set NIXWISE_BIN`);
  }
  return bin;
}
