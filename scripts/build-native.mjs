#!/usr/bin/env node
// Builds gdwire's native addon (native/, binding.gyp: DTLS, batched UDP for ENet) with node-gyp, offline: the headers
// (node_api.h and OpenSSL's) come from the node installation itself (<prefix>/include/node),
// and the addon links no OpenSSL of its own — it uses the one inside the node binary.
//
// Runs as the package's `install` script. A failed build does NOT fail `npm install`: the rest
// of gdwire works without the addon and the DTLS classes then answer ERR_UNAVAILABLE. Set
// GDWIRE_REQUIRE_NATIVE=1 to make a failed build fatal (CI does, through GDWIRE_REQUIRE_INTEROP=1).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const required = process.env.GDWIRE_REQUIRE_NATIVE === '1' || process.env.GDWIRE_REQUIRE_INTEROP === '1';

function fail(why) {
  console.warn(`gdwire: native addon (DTLS, batched UDP) NOT built: ${why}`);
  console.warn('gdwire: everything but DTLS works (ENet falls back to node:dgram); PacketPeerDTLS/DTLSServer will return ERR_UNAVAILABLE.');
  process.exit(required ? 1 : 0);
}

if (process.env.GDWIRE_SKIP_NATIVE === '1') fail('GDWIRE_SKIP_NATIVE=1');
if (!existsSync(join(root, 'binding.gyp'))) fail('binding.gyp is missing');

// node-gyp: the one npm runs scripts with, else the one bundled with npm beside this node.
const prefix = dirname(dirname(process.execPath));
const gypCandidates = [
  process.env.npm_config_node_gyp,
  join(prefix, 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  join(dirname(process.execPath), 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
].filter((p) => p && existsSync(p));
const gyp = gypCandidates[0];
if (!gyp) fail('node-gyp not found (it ships with npm)');

// Headers: an explicit nodedir wins; else this node's own include/node (offline).
let nodedir = process.env.npm_config_nodedir;
if (!nodedir && existsSync(join(prefix, 'include', 'node', 'node_api.h'))) nodedir = prefix;
if (nodedir && !existsSync(join(nodedir, 'include', 'node', 'openssl', 'ssl.h'))) {
  fail(`${nodedir}/include/node/openssl/ssl.h not found (node's OpenSSL headers are needed)`);
}

const args = [gyp, 'rebuild', ...(nodedir ? [`--nodedir=${nodedir}`] : [])];
const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
if (r.status !== 0) fail(`node-gyp exited with ${r.status ?? r.signal}`);
if (!existsSync(join(root, 'build', 'Release', 'gdwire_dtls.node'))) fail('build/Release/gdwire_dtls.node missing after the build');
console.log('gdwire: native addon built (build/Release/gdwire_dtls.node)');
