// A --jco-import hook for `jco run` (run_wasi2_tests.sh): preopens the
// directories listed in preopens.txt beside it ("HOST::GUEST", one a line),
// as `wasmgate run --dir HOST::GUEST` does, and nothing else (jco's default
// preopens the working directory). It must be copied into the --jco-dir
// output directory: the shim it imports then resolves to the one the
// transpiled component imports (jco links it there). A file, not an
// environment variable: the component would see that.
import { readFileSync } from 'node:fs';
import { _setPreopens } from '@bytecodealliance/preview2-shim/filesystem';

const preopens = {};
const list = readFileSync(new URL('./preopens.txt', import.meta.url), 'utf8');
for (const spec of list.split('\n')) {
  const at = spec.indexOf('::');
  if (at > 0) preopens[spec.slice(at + 2)] = spec.slice(0, at);
}
_setPreopens(preopens);
