#!/usr/bin/env node
// The command line: picks the command, parses its flags (source/cli/), picks a mode, exit codes.
// Bad input is one line on stderr and exit 2, before anything is created or started.
import {readFileSync} from 'node:fs';
import process from 'node:process';
import {fileURLToPath} from 'node:url';
import {clusterHelp} from './cli/cluster-help.js';
import {endQuietlyWhenStdoutCloses, ignoreStderrFailures} from './cli/closed-pipe.js';
import {CLUSTER_FLAGS, clusterOptions} from './cli/flags.js';
import {parseCommandLine} from './cli/parse.js';
import {runLayoutCommand} from './commands/layout.js';
import {buildClusterSpec, InputError} from './cluster/spec.js';
import {printPlan} from './commands/dry-run.js';
import {runCluster} from './commands/run.js';

const SIMULATOR = fileURLToPath(new URL('demo/zeek-sim.js', import.meta.url));

/** The package's package.json: one level above dist/cli.js (and source/cli.tsx). */
function readPackage(): {description?: unknown; version?: unknown} {
	try {
		return JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as object;
	} catch {
		return {};
	}
}

/** The words before the flags that name a command of their own; each parses the rest itself. */
const COMMANDS: Record<string, (argv: string[]) => Promise<number>> = {
	layout: (argv) => runLayoutCommand(argv, process),
};

async function main(argv: string[], stopQuietOutput: () => void): Promise<number> {
	const command = argv[0];
	if (command !== undefined && Object.hasOwn(COMMANDS, command))
		return COMMANDS[command]!(argv.slice(1));

	const {flags} = parseCommandLine(argv, CLUSTER_FLAGS, {hint: 'see zeek-tui --help'});
	if (flags['help']) {
		const {description} = readPackage();
		process.stdout.write(clusterHelp(typeof description === 'string' ? description : undefined));
		return 0;
	}
	if (flags['version']) {
		const {version} = readPackage();
		process.stdout.write(
			`${typeof version === 'string' && version !== '' ? version : 'unknown'}\n`,
		);
		return 0;
	}

	const demo = flags['demo'] === true;
	const headless = flags['headless'] === true;
	const dryRun = flags['dryRun'] === true;
	const json = flags['json'] === true;
	if (json && !headless && !dryRun)
		throw new InputError('--json goes with --headless or --dry-run');
	if (demo && typeof flags['zeek'] === 'string') {
		throw new InputError(
			'--demo runs the bundled simulator; drop --zeek, or drop --demo to run zeek',
		);
	}
	if (!headless && !dryRun && !(process.stdin.isTTY && process.stdout.isTTY)) {
		throw new InputError(
			'the TUI needs a terminal on stdin and stdout; use --headless to run without one',
		);
	}

	const {spec, warnings} = buildClusterSpec(clusterOptions(flags, process.env, demo), {
		cwd: process.cwd(),
		...(demo ? {zeekPath: SIMULATOR, demoPorts: true} : {}),
	});
	for (const warning of warnings) process.stderr.write(`zeek-tui: ${warning}\n`);

	if (dryRun) {
		printPlan(spec, {json, out: process.stdout});
		return 0;
	}
	// The supervisor handles its own output from here: a closed stdout must not end it.
	stopQuietOutput();
	return runCluster(spec, {headless, json});
}

ignoreStderrFailures();
const stopQuietOutput = endQuietlyWhenStdoutCloses();
try {
	process.exitCode = await main(process.argv.slice(2), stopQuietOutput);
} catch (error) {
	if (error instanceof InputError) {
		process.stderr.write(`zeek-tui: ${error.message}\n`);
		process.exitCode = 2;
	} else {
		process.stderr.write(`zeek-tui: ${error instanceof Error ? error.message : String(error)}\n`);
		process.exitCode = 1;
	}
}
