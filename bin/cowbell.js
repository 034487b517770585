#!/usr/bin/env node
// The `cowbell` command (npx cowbell ...): runs the compiled daemon; `npm run build` makes dist/.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const main = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'src', 'main.js');
if (!existsSync(main)) {
  process.stderr.write('cowbell: not built yet; run `npm run build` (or `npm start`, which builds first)\n');
  process.exit(2);
}
await import(main);
