// Runs one benchmark export under Node's V8:
//   node bench/run_node.mjs MODULE.wasm EXPORT N
// Prints the checksum as an unsigned 32-bit decimal (like the native driver).
import { readFileSync } from 'node:fs';

const [file, name, nstr] = process.argv.slice(2);
if (!file || !name || nstr === undefined) {
  console.error('usage: node run_node.mjs MODULE.wasm EXPORT N');
  process.exit(2);
}
const { instance } = await WebAssembly.instantiate(readFileSync(file), {});
const fn = instance.exports[name];
if (typeof fn !== 'function') {
  console.error(`no exported function ${name} in ${file}`);
  process.exit(2);
}
const r = fn(Number(nstr) >>> 0);
console.log(typeof r === 'bigint' ? BigInt.asUintN(64, r).toString() : String(r >>> 0));
