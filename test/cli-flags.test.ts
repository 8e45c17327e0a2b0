// The flag tables and the meow parse over them, in-process: values, defaults, help, refusals.
import path from 'node:path';
import {execa} from 'execa';
import {describe, expect, it} from 'vitest';
import {clusterHelp} from '../source/cli/cluster-help.js';
import {
	CLUSTER_FLAGS,
	LAYOUT_FLAGS,
	clusterOptions,
	environmentValue,
	givenValues,
} from '../source/cli/flags.js';
import {parseCommandLine} from '../source/cli/parse.js';
import {InputError} from '../source/cluster/spec.js';
import {repoRoot} from './helpers/cli.js';

const parse = (argv: string[]) => parseCommandLine(argv, CLUSTER_FLAGS, {hint: 'see --help'});

describe('parseCommandLine', () => {
	it('gives strings for values as typed, booleans for switches, and how each flag was spelled', () => {
		const parsed = parse(['-W3', '--worker-args', '-C -B dpd', '--args=--x', '-i=eth0', '--demo']);
		expect(parsed.flags).toMatchObject({
			workers: '3',
			workerArgs: '-C -B dpd',
			args: '--x',
			interface: 'eth0',
			demo: true,
			dryRun: false,
			layout: undefined,
		});
		expect(parsed.spelled).toMatchObject({workers: '-W', workerArgs: '--worker-args'});
	});

	it('keeps quotes, blanks and an empty value as typed', () => {
		for (const value of ['"x"', "'", '"', "'a b'", ' padded ', '', '--', '-1', 'a=b']) {
			expect(parse([`--args=${value}`]).flags['args']).toBe(value);
			expect(parse(['--args', value]).flags['args']).toBe(value);
		}
	});

	it.each([
		[['--bogus'], 'unknown flag --bogus: see --help'],
		[['--no-demo'], 'unknown flag --no-demo'],
		[['-x3'], 'unknown flag -x'],
		[['start'], 'unexpected argument "start"'],
		[['-'], 'unexpected argument "-"'],
		[['--', '-W'], 'unexpected argument "--"'],
		[['--layout'], '--layout needs a value'],
		[['--json=false'], '--json takes no value'],
		[['-L', '1', '-L', '2'], '-L is given twice'],
		[['--spool-dir=a', '--spool-dir', 'b'], '--spool-dir is given twice'],
	])('%j is refused: %s', (argv, message) => {
		expect(() => parse(argv)).toThrow(InputError);
		expect(() => parse(argv)).toThrow(message);
	});

	it('passes words through meow for a command that takes them (the NODE... of a verb)', () => {
		const parsed = parseCommandLine(['worker-1', '-W', '2', 'manager'], CLUSTER_FLAGS, {
			hint: '',
			takesWords: true,
		});
		expect(parsed.words).toEqual(['worker-1', 'manager']);
		expect(parsed.flags['workers']).toBe('2');
	});

	it('stops at a row that ends parsing (layout -h), whatever follows', () => {
		const parsed = parseCommandLine(['-W', '2', '-h', '--bogus'], LAYOUT_FLAGS, {hint: ''});
		expect(parsed.flags).toMatchObject({help: true, workers: '2'});
	});

	it("leaves the process title alone: ps keeps showing zeek-tui's arguments", async () => {
		// In a process of its own: meow sets process.title, which rewrites /proc/PID/cmdline.
		const script = [
			`import {readFileSync} from 'node:fs';`,
			`import {parseCommandLine} from ${JSON.stringify(path.join(repoRoot, 'dist/cli/parse.js'))};`,
			`import {CLUSTER_FLAGS} from ${JSON.stringify(path.join(repoRoot, 'dist/cli/flags.js'))};`,
			`parseCommandLine(['-W', '2'], CLUSTER_FLAGS, {hint: ''});`,
			`process.stdout.write(readFileSync('/proc/self/cmdline', 'utf8').split('\\0').join(' '));`,
		].join('\n');
		const result = await execa('node', ['--input-type=module', '-e', script, 'the-arguments']);
		expect(result.stdout).toContain('the-arguments');
	});
});

describe('environment defaults', () => {
	it('an empty variable counts as unset, for every variable', () => {
		expect(environmentValue({X: ''}, 'X')).toBeUndefined();
		expect(environmentValue({X: ' '}, 'X')).toBe(' ');
		const env = Object.fromEntries(
			CLUSTER_FLAGS.flatMap((row) => (row.env ? [[row.env, '']] : [])),
		);
		const fromEmpty = clusterOptions({}, env, false);
		const fromNothing = clusterOptions({}, {}, false);
		expect(fromEmpty).toEqual(fromNothing);
		expect(fromNothing.workers).toEqual({value: '4', from: '--workers'});
		expect(fromNothing.pinWorkers).toBeUndefined();
	});

	it('flag over variable over default; --demo changes only the spool default', () => {
		const flags = parse(['-W', '2']).flags;
		const options = clusterOptions(
			flags,
			{ZEEK_WORKERS: '9', ZEEK_PROXIES: '3', ZEEK_NODE_CFG: 'n.cfg'},
			true,
		);
		expect(options.workers).toEqual({value: '2', from: '--workers'});
		expect(options.proxies).toEqual({value: '3', from: 'ZEEK_PROXIES'});
		expect(options.nodeCfg).toEqual({value: 'n.cfg', from: 'ZEEK_NODE_CFG'});
		expect(options.spoolDir).toEqual({value: './spool-demo', from: '--spool-dir'});
		expect(clusterOptions({}, {ZEEK_SPOOL_DIR: 's'}, true).spoolDir).toEqual({
			value: 's',
			from: 'ZEEK_SPOOL_DIR',
		});
		expect(givenValues(LAYOUT_FLAGS, {}, {}).output).toBeUndefined();
	});
});

describe('--help', () => {
	it('lists every row of the table with its variable and default, from the table', () => {
		const help = clusterHelp(undefined);
		for (const row of CLUSTER_FLAGS) {
			const line = help.split('\n').findIndex((text) => text.includes(`--${row.long}`));
			expect(line, row.long).toBeGreaterThan(-1);
			if (row.short) expect(help).toContain(`-${row.short}, --${row.long}`);
			if (row.env) expect(help).toContain(`[${row.env}, ${row.fallbackText ?? row.fallback}]`);
		}
		for (const text of help.split('\n')) expect(text.length).toBeLessThanOrEqual(100);
	});
});
