// npm run bench [-- options]: zeek-tui's cost on the simulator in a real terminal, next to pm2's,
// as one table of medians with the goals of the benchmark issue beside them. See docs/performance.md.
import {writeFileSync} from 'node:fs';
import path from 'node:path';
import {parseArgs} from 'node:util';
import {cleanupAll, cleanupAndExit, installExitHandlers, withinTime} from './cleanup.js';
import {buildRevision} from './build-revision.js';
import {machine} from './proc.js';
import {program} from './tui.js';
import {rows, table, type ScenarioResult} from './report.js';
import {flood} from './scenarios/flood.js';
import {lifecycle} from './scenarios/lifecycle.js';
import {scale} from './scenarios/scale.js';
import {watch} from './scenarios/watch.js';

const SCENARIOS = ['watch', 'flood', 'lifecycle', 'scale'] as const;
type Scenario = (typeof SCENARIOS)[number];

const usage = `Usage: npm run bench [-- options]

  --only LIST        scenarios to run, comma-separated: ${SCENARIOS.join(',')} (default: all)
  --nodes LIST       cluster sizes: watch runs each (default 8,32,128); flood and lifecycle use
                     the first (default 32), scale the first (default 256)
  --runs N           runs of each scenario; the table shows medians (default 3)
  --seconds S        length of each measuring window (default 30)
  --settle S         wait after all nodes run, before measuring (default 5)
  --no-pm2           watch: skip the pm2 comparison
  --flood-lines N    flood: lines the worker writes (default 500000)
  --json FILE        also write every run's raw figures to FILE
  --cpu-prof DIR     write V8 CPU profiles of zeek-tui (one per run) into DIR
  --cli FILE         run this cli.js instead of dist/cli.js (a build with a change being tried)
  --revision REV     build this git revision in a temporary directory and run that (e.g. HEAD)
  --env NAME=VALUE   set a variable in zeek-tui's terminal (repeatable), e.g. NODE_ENV=production
  --node-flag FLAG   pass a flag to zeek-tui's node (repeatable), e.g. --node-flag=--max-semi-space-size=2
  -h, --help         this text`;

function parse() {
	const {values} = parseArgs({
		options: {
			only: {type: 'string'},
			nodes: {type: 'string'},
			runs: {type: 'string', default: '3'},
			seconds: {type: 'string', default: '30'},
			settle: {type: 'string', default: '5'},
			'no-pm2': {type: 'boolean', default: false},
			'flood-lines': {type: 'string', default: '500000'},
			json: {type: 'string'},
			'cpu-prof': {type: 'string'},
			cli: {type: 'string'},
			revision: {type: 'string'},
			env: {type: 'string', multiple: true, default: []},
			'node-flag': {type: 'string', multiple: true, default: []},
			help: {type: 'boolean', short: 'h', default: false},
		},
		strict: true,
	});
	if (values.help) {
		console.log(usage);
		process.exit(0);
	}
	const positive = (name: string, text: string) => {
		const value = Number(text);
		if (!Number.isInteger(value) || value < 1)
			throw new Error(`--${name}: "${text}" is not a whole number ≥ 1`);
		return value;
	};
	const only = (values.only ?? SCENARIOS.join(',')).split(',').map((name) => name.trim());
	for (const name of only) {
		if (!SCENARIOS.includes(name as Scenario))
			throw new Error(`--only: unknown scenario "${name}" (${SCENARIOS.join(', ')})`);
	}
	const env: Record<string, string> = {};
	for (const item of values.env) {
		const at = item.indexOf('=');
		if (at < 1) throw new Error(`--env: "${item}" is not NAME=VALUE`);
		env[item.slice(0, at)] = item.slice(at + 1);
	}
	const nodes = values.nodes?.split(',').map((text) => positive('nodes', text.trim()));
	return {
		only: only as Scenario[],
		nodes,
		runs: positive('runs', values.runs),
		seconds: positive('seconds', values.seconds),
		settleSeconds: Number(values.settle),
		pm2: !values['no-pm2'],
		floodLines: positive('flood-lines', values['flood-lines']),
		json: values.json,
		cpuProfileDir: values['cpu-prof'],
		cli: values.cli ? path.resolve(values.cli) : undefined,
		revision: values.revision,
		env,
		nodeFlags: values['node-flag'],
	};
}

async function main(): Promise<void> {
	let options: ReturnType<typeof parse>;
	try {
		options = parse();
	} catch (error) {
		console.error(`bench: ${(error as Error).message}\n\n${usage}`);
		process.exit(2);
	}
	installExitHandlers();
	if (options.cli) program.cli = options.cli;
	let built = '';
	if (options.revision) {
		const {cli, commit} = buildRevision(options.revision);
		program.cli = cli;
		built = ` (${options.revision} = ${commit.slice(0, 12)})`;
	}
	program.env = options.env;
	program.nodeFlags = options.nodeFlags;
	// The nodes get only the switches each scenario sets: none of the operator's ZEEK_* settings.
	for (const name of Object.keys(process.env))
		if (name.startsWith('ZEEK_')) delete process.env[name];

	const box = machine();
	const log = (line: string) =>
		console.error(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
	log(
		`machine: ${box.cpus} CPUs (${box.model}), ${box.memory}, node ${box.node}, Linux ${box.kernel}`,
	);
	const results: ScenarioResult[] = [];
	const perRunMinutes = (options.seconds + options.settleSeconds) / 60;
	for (const scenario of options.only) {
		const limitMs = 60_000 * (10 + options.runs * (perRunMinutes * 3 + 6));
		const run = async (): Promise<ScenarioResult[]> => {
			switch (scenario) {
				case 'watch':
					return watch({...options, nodes: options.nodes ?? [8, 32, 128]}, log);
				case 'flood':
					return [await flood({...options, nodes: options.nodes?.[0] ?? 32}, log)];
				case 'lifecycle':
					return [await lifecycle({...options, nodes: options.nodes?.[0] ?? 32}, log)];
				case 'scale':
					return [await scale({...options, nodes: options.nodes?.[0] ?? 256}, log)];
			}
		};
		results.push(...(await withinTime(scenario, limitMs, run)));
	}
	await cleanupAll();

	console.log(
		`\nmachine: ${box.cpus} × ${box.model}, ${box.memory} RAM, node ${box.node}, Linux ${box.kernel}`,
	);
	console.log(
		`runs: ${options.runs}, window: ${options.seconds} s after ${options.settleSeconds} s settling`,
	);
	const variant = Object.entries(program.env).map(([name, value]) => `${name}=${value}`);
	console.log(
		`zeek-tui: ${[...variant, 'node', ...program.nodeFlags, program.cli].join(' ')}${built}\n`,
	);
	console.log(table(results.flatMap(rows)));
	for (const result of results)
		for (const note of result.notes) console.log(`note (${result.scenario}): ${note}`);
	if (options.json)
		writeFileSync(
			options.json,
			JSON.stringify({machine: box, options, results}, null, '\t') + '\n',
		);
}

main().catch((error: Error) => void cleanupAndExit(1, error.stack ?? String(error)));
