#!/usr/bin/env node
/**
 * The `gdwire` command. Thin by design: parse arguments, wire library objects, print.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { runDecode } from './decode.js';
import { runEcho } from './echo.js';
import { runServe } from './serve.js';
import { CliError } from './cli-error.js';

const HELP = `gdwire — Godot Engine's networking stack for Node.js

Usage: gdwire <command> [options]

Commands:
  serve              Dedicated relay server for Godot 3.2 / 4 games (ENet), with a live
                     dashboard, Prometheus /metrics and /healthz on an HTTP port.
                     Options: "gdwire serve --help" (all also as GDWIRE_* variables).
  echo               UDP echo server: answers every packet with the same Variant,
                     re-encoded, and logs each new peer and what it sent (decoded).
                       --port <n>       UDP port (default 4242, env GDWIRE_PORT)
                       --bind <addr>    bind address (default "*": IPv4 + IPv6)
                       --godot <3|4>    Variant format (default 4; also 4.2, 4.3 …)
                       --log-level <l>  debug | info | warn | error (default info)
  decode <hex|->     Decode one Variant from hex (or from stdin with "-") and print it.
                       --godot <3|4>    Variant format (default 4)
                       --allow-objects  decode full objects (off by default, as in Godot)
  help               This text. "gdwire <command> --help" shows it too.
  version            Print the version.

Examples:
  gdwire serve --port 4242 --http-port 8080
  gdwire echo --port 4242 --godot 3
  gdwire decode 0400000002000000686900000 --godot 4
  printf '1c00000000000000' | gdwire decode -
`;

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

async function main(argv: string[]): Promise<number> {
  // serve has its own option table (and --help): hand it everything after the command.
  if (argv[0] === 'serve') return runServe(argv.slice(1));
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'v' },
      port: { type: 'string' },
      bind: { type: 'string' },
      godot: { type: 'string' },
      'log-level': { type: 'string' },
      'allow-objects': { type: 'boolean' },
    },
  });
  const command = positionals[0];
  if (values.version || command === 'version') {
    process.stdout.write(`${version()}\n`);
    return 0;
  }
  if (values.help || command === undefined || command === 'help') {
    process.stdout.write(HELP);
    return command === undefined && !values.help ? 1 : 0;
  }
  switch (command) {
    case 'echo':
      return runEcho({
        port: values.port ?? process.env['GDWIRE_PORT'] ?? '4242',
        bind: values.bind ?? '*',
        godot: values.godot ?? '4',
        logLevel: values['log-level'] ?? process.env['GDWIRE_LOG_LEVEL'] ?? 'info',
      });
    case 'serve': // options before the command, e.g. `gdwire --port 1 serve`
      return runServe(argv.filter((_, i) => i !== argv.indexOf('serve')));
    case 'decode':
      return runDecode({
        input: positionals[1],
        godot: values.godot ?? '4',
        allowObjects: values['allow-objects'] ?? false,
      });
    default:
      throw new CliError(`unknown command "${command}" (try: gdwire --help)`);
  }
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err: unknown) => {
    if (err instanceof CliError || (err instanceof Error && 'code' in err &&
        String((err as { code: unknown }).code).startsWith('ERR_PARSE_ARGS'))) {
      process.stderr.write(`gdwire: ${err.message}\n`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`gdwire: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exitCode = 1;
  },
);
