// A workspace of the owned-server layout written directly: the user's server.mts as given, and mtls-server/
// holding the machinery exactly as the scaffold copies it (every file of src/server). For the tests of the
// consumers, which need a real server file whatever the scaffold writes around it.
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { machineryFiles, machineryFolder } from '../../../src/core/scaffold/machineryFiles';

/** Writes DIR/server.mts (`serverMts`) and DIR/mtls-server/*.mts; returns the server file's absolute path. */
export function ownedWorkspace(dir: string, serverMts: string): string {
  const machinery = path.join(dir, machineryFolder);
  mkdirSync(machinery, { recursive: true });
  for (const f of machineryFiles()) writeFileSync(path.join(machinery, f.name), f.contents);
  const file = path.resolve(dir, 'server.mts');
  writeFileSync(file, serverMts);
  return file;
}
