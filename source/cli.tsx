#!/usr/bin/env node
// The command line: flags and their environment defaults, validation, exit codes; picks a mode.
// Bad input is one line on stderr and exit 2, before anything is created or started.
import {readFileSync} from 'node:fs';
import process from 'node:process';
import {fileURLToPath} from 'node:url';
import {runLayoutCommand} from './commands/layout.js';
import {
	buildClusterSpec,
	InputError,
	type ClusterOptions,
	type GivenOption,
} from './cluster/spec.js';
import {printPlan} from './commands/dry-run.js';
import {runCluster} from './commands/run.js';

const help = `
	Usage
	  $ zeek-tui [options]              start the cluster and open the TUI
	  $ zeek-tui --headless [options]   supervise in the foreground without a TUI,
	                                    one event per line (for systemd and scripts)
	  $ zeek-tui --demo [options]       the TUI on the bundled simulated cluster (no Zeek needed)
	  $ zeek-tui --dry-run [options]    print each node's argv, cwd, environment and CPUs; start nothing
	  $ zeek-tui layout [flags]         write cluster-layout.zeek like zeek-cluster-layout-generator
	                                    (zeek-tui layout --help)

	Options (each defaults to the environment variable of Zeek's supervisor.sh)
	  -W, --workers N          workers                                  [ZEEK_WORKERS, 4]
	                           or per interface: eth0:2,eth1:3 (worker-eth0-1 ... on eth0)
	  -P, --proxies N          proxies                                  [ZEEK_PROXIES, 2]
	  -L, --loggers N          loggers                                  [ZEEK_LOGGERS, 1]
	  -i, --interface IF       workers' packet source, may carry a plugin prefix (af_packet::eth0)
	                                                                    [ZEEK_INTERFACE, lo]
	  --spool-dir DIR          one working directory per node below it  [ZEEK_SPOOL_DIR, ./spool]
	                           (./spool-demo with --demo)
	  --args "..."             arguments of every node   [ZEEK_ARGS, local Log::default_rotation_interval=0sec]
	  --worker-args "..."      arguments put first for workers          [ZEEK_WORKER_ARGS, -C]
	  --backend-args "..."     appended to every node    [ZEEK_CLUSTER_BACKEND_ARGS,
	                                                      policy/frameworks/cluster/backend/zeromq]
	  --zeek PATH              the zeek binary                          [ZEEK_BIN, zeek on PATH]
	  --pin-workers CPUS       worker i gets the i-th CPU of the list, wrapping around (2-5, 2,3,4,5)
	                                                                    [ZEEK_PIN_WORKERS, none]
	  --stop-timeout S         SIGTERM, then SIGKILL after S seconds    [ZEEK_STOP_TIMEOUT, 60]
	  --layout FILE            run the nodes of an existing cluster-layout.zeek; the counts then
	                           do not apply                             [ZEEK_LAYOUT, generate one]
	  --node-cfg FILE          run the nodes zeekctl runs from this node.cfg (and the zeekctl.cfg
	                           beside it); the counts, -i and --pin-workers then do not apply
	                                                                    [ZEEK_NODE_CFG, none]
	  --dry-run                print the plan and exit; start nothing
	  --json                   with --headless or --dry-run: JSON lines instead of text
	  --headless               no TUI: supervise in the foreground, print events
	  --demo                   run the bundled simulator instead of zeek
	  -h, --help               this text
	  -v, --version            the version

	Argument strings are split on blanks like an unquoted shell variable, never run by a shell.
	Exit codes: 0 after a clean stop, 2 for bad input, 1 for anything else.

	Examples
	  $ zeek-tui --demo
	  $ zeek-tui -W 8 -i af_packet::eth0 --pin-workers 2-9 --spool-dir /var/spool/zeek
	  $ ZEEK_WORKERS=2 zeek-tui --headless --json
	  $ zeek-tui --dry-run --layout /etc/zeek/cluster-layout.zeek
	  $ zeek-tui layout -W 2 -o spool/cluster-layout.zeek
`;

type FlagSpec = {
	name: string;
	long: string;
	short?: string;
	takesValue: boolean;
	env?: string;
	fallback?: string;
};

const FLAGS: FlagSpec[] = [
	{
		name: 'workers',
		long: 'workers',
		short: 'W',
		takesValue: true,
		env: 'ZEEK_WORKERS',
		fallback: '4',
	},
	{
		name: 'proxies',
		long: 'proxies',
		short: 'P',
		takesValue: true,
		env: 'ZEEK_PROXIES',
		fallback: '2',
	},
	{
		name: 'loggers',
		long: 'loggers',
		short: 'L',
		takesValue: true,
		env: 'ZEEK_LOGGERS',
		fallback: '1',
	},
	{
		name: 'interface',
		long: 'interface',
		short: 'i',
		takesValue: true,
		env: 'ZEEK_INTERFACE',
		fallback: 'lo',
	},
	{
		name: 'spoolDir',
		long: 'spool-dir',
		takesValue: true,
		env: 'ZEEK_SPOOL_DIR',
		fallback: './spool',
	},
	{
		name: 'args',
		long: 'args',
		takesValue: true,
		env: 'ZEEK_ARGS',
		fallback: 'local Log::default_rotation_interval=0sec',
	},
	{
		name: 'workerArgs',
		long: 'worker-args',
		takesValue: true,
		env: 'ZEEK_WORKER_ARGS',
		fallback: '-C',
	},
	{
		name: 'backendArgs',
		long: 'backend-args',
		takesValue: true,
		env: 'ZEEK_CLUSTER_BACKEND_ARGS',
		fallback: 'policy/frameworks/cluster/backend/zeromq',
	},
	{name: 'zeek', long: 'zeek', takesValue: true, env: 'ZEEK_BIN', fallback: 'zeek'},
	{name: 'pinWorkers', long: 'pin-workers', takesValue: true, env: 'ZEEK_PIN_WORKERS'},
	{
		name: 'stopTimeout',
		long: 'stop-timeout',
		takesValue: true,
		env: 'ZEEK_STOP_TIMEOUT',
		fallback: '60',
	},
	{name: 'layout', long: 'layout', takesValue: true, env: 'ZEEK_LAYOUT'},
	{name: 'nodeCfg', long: 'node-cfg', takesValue: true, env: 'ZEEK_NODE_CFG'},
	{name: 'dryRun', long: 'dry-run', takesValue: false},
	{name: 'json', long: 'json', takesValue: false},
	{name: 'headless', long: 'headless', takesValue: false},
	{name: 'demo', long: 'demo', takesValue: false},
	{name: 'help', long: 'help', short: 'h', takesValue: false},
	{name: 'version', long: 'version', short: 'v', takesValue: false},
];

const SIMULATOR = fileURLToPath(new URL('demo/zeek-sim.js', import.meta.url));

type Flags = Record<string, string | true>;

/**
 * Reads the flags into {name: value}, true for a switch. `--flag value` takes the next word as
 * the value even when it starts with a dash (`--worker-args -C`); `--flag=value`, `-W3` and
 * `-W=3` work too. Values are taken as they are: no quote removal, no type guessing. Unknown
 * flags, stray words, a missing value, a value on a switch and a value flag given twice are
 * refused with one line.
 */
export function parseArgv(argv: readonly string[]): Flags {
	const flags: Flags = {};
	for (let index = 0; index < argv.length; index++) {
		const token = argv[index]!;
		const long = /^--([^=]+)(=.*)?$/.exec(token);
		const short = /^-([A-Za-z])(.*)$/.exec(token);
		const flag = long
			? FLAGS.find((spec) => spec.long === long[1])
			: short
				? FLAGS.find((spec) => spec.short === short[1])
				: undefined;
		if (!long && !short) {
			throw new InputError(`unexpected argument "${token}"; see zeek-tui --help`);
		}
		if (!flag) {
			throw new InputError(`unknown option ${token.split('=')[0]}; see zeek-tui --help`);
		}
		const inlineValue = long
			? long[2]?.slice(1)
			: short![2] === ''
				? undefined
				: short![2]!.replace(/^=/, '');
		if (!flag.takesValue) {
			if (inlineValue !== undefined)
				throw new InputError(`--${flag.long} takes no value, got "${token}"`);
			flags[flag.name] = true;
			continue;
		}
		let value = inlineValue;
		if (value === undefined) {
			if (index + 1 >= argv.length)
				throw new InputError(`--${flag.long} needs a value; see zeek-tui --help`);
			value = argv[++index]!;
		}
		if (Object.hasOwn(flags, flag.name))
			throw new InputError(`--${flag.long} can only be given once`);
		flags[flag.name] = value;
	}
	return flags;
}

/** The package's package.json: one level above dist/cli.js (and source/cli.tsx). */
function readPackage(): {description?: unknown; version?: unknown} {
	try {
		return JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as object;
	} catch {
		return {};
	}
}

/** The help text indented by two spaces, under the package's description. */
function helpText(): string {
	const {description} = readPackage();
	const body = help.replace(/^\n+|\n+$/g, '').replace(/^\t(?=.*\S)/gm, '  ');
	return typeof description === 'string' && description !== ''
		? `  ${description}\n\n${body}\n\n`
		: `${body}\n\n`;
}

function given(
	spec: FlagSpec,
	flags: Record<string, unknown>,
	env: NodeJS.ProcessEnv,
): GivenOption | undefined {
	const fromFlag = flags[spec.name];
	if (typeof fromFlag === 'string') return {value: fromFlag, from: `--${spec.long}`};
	const fromEnv = spec.env ? env[spec.env] : undefined;
	if (fromEnv !== undefined && fromEnv !== '' && spec.env) return {value: fromEnv, from: spec.env};
	return spec.fallback === undefined ? undefined : {value: spec.fallback, from: `--${spec.long}`};
}

function clusterOptions(
	flags: Record<string, unknown>,
	env: NodeJS.ProcessEnv,
	demo: boolean,
): ClusterOptions {
	const options: Record<string, GivenOption | undefined> = {};
	for (const spec of FLAGS) if (spec.takesValue) options[spec.name] = given(spec, flags, env);
	if (demo && typeof flags['spoolDir'] !== 'string' && env['ZEEK_SPOOL_DIR'] === undefined) {
		options['spoolDir'] = {value: './spool-demo', from: '--spool-dir'};
	}
	return options as ClusterOptions;
}

async function main(argv: string[]): Promise<number> {
	if (argv[0] === 'layout') return runLayoutCommand(argv.slice(1), process);

	const flags = parseArgv(argv);
	if (flags['help']) {
		process.stdout.write(helpText());
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
		...(demo ? {zeekPath: SIMULATOR} : {}),
	});
	for (const warning of warnings) process.stderr.write(`zeek-tui: ${warning}\n`);

	if (dryRun) {
		printPlan(spec, {json, out: process.stdout});
		return 0;
	}
	return runCluster(spec, {headless, json});
}

try {
	process.exitCode = await main(process.argv.slice(2));
} catch (error) {
	if (error instanceof InputError) {
		process.stderr.write(`zeek-tui: ${error.message}\n`);
		process.exitCode = 2;
	} else {
		process.stderr.write(`zeek-tui: ${error instanceof Error ? error.message : String(error)}\n`);
		process.exitCode = 1;
	}
}
