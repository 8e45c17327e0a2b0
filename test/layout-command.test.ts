import {
	chmodSync,
	mkdirSync,
	mkdtempSync,
	openSync,
	readFileSync,
	readSync,
	closeSync,
	readdirSync,
	rmSync,
	statSync,
	writeFileSync,
} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {Writable} from 'node:stream';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {referenceCases} from './helpers/reference-layouts.js';
import {runLayoutCommand} from '../source/commands/layout.js';

const defaultsOutput = referenceCases.find((reference) => reference.name === 'defaults')?.stdout;

class TextSink extends Writable {
	text = '';
	override _write(chunk: Buffer, _encoding: string, callback: (error?: Error | null) => void) {
		this.text += chunk.toString();
		callback();
	}
}

async function run(argv: string[]) {
	const stdout = new TextSink();
	const stderr = new TextSink();
	const code = await runLayoutCommand(argv, {stdout, stderr});
	return {code, stdout: stdout.text, stderr: stderr.text};
}

let directory: string;
beforeEach(() => {
	directory = mkdtempSync(path.join(tmpdir(), 'zeek-tui-layout-'));
});
afterEach(() => {
	chmodSync(directory, 0o700);
	rmSync(directory, {recursive: true, force: true});
});

describe('zeek-tui layout against the reference tool', () => {
	it('has reference cases to compare with', () => {
		expect(referenceCases.length).toBeGreaterThan(0);
		expect(defaultsOutput).toBeDefined();
	});

	it.each(referenceCases)('$name: same exit code and stdout', async (reference) => {
		const result = await run(reference.args);
		if (reference.exit === 0) {
			expect(result).toEqual({code: 0, stdout: reference.stdout, stderr: ''});
		} else {
			// The reference exits 1 on bad input; zeek-tui uses 2 for bad input (DESIGN §1).
			expect(result.code).toBe(2);
			expect(result.stdout).toBe('');
		}
	});

	it('takes -W2, --workers=2 and --workers 2 like -W 2', async () => {
		const expected = (await run(['-W', '2'])).stdout;
		expect(expected).toContain('["worker-2"]');
		expect(expected).not.toContain('["worker-3"]');
		for (const argv of [['-W2'], ['--workers=2'], ['--workers', '2']]) {
			expect(await run(argv)).toEqual({code: 0, stdout: expected, stderr: ''});
		}
	});

	it('takes every long form', async () => {
		const long = await run([
			'--loggers=2',
			'--proxies',
			'0',
			'--workers=1',
			'--address=::1',
			'--port=1000',
			'--metrics-port',
			'2000',
			'--metrics-address=::',
		]);
		const short = await run(['-L2', '-P', '0', '-W1', '-a', '::1', '-p1000', '-m', '2000', '-b::']);
		expect(long).toEqual(short);
		expect(long.code).toBe(0);
		expect(long.stdout).toContain(
			'["logger-2"] = [$node_type=Cluster::LOGGER, $ip=[::1], $p=1002/tcp, $manager="manager", $metrics_port=2002/tcp],',
		);
		// Brackets where the reference generator writes none: civetweb needs them (see the help).
		expect(long.stdout).toContain('redef Telemetry::metrics_address = "[::]";');
	});

	it('-m 0 leaves out every $metrics_port and the Telemetry lines', async () => {
		const result = await run(['-m', '0', '-W', '1']);
		expect(result.code).toBe(0);
		expect(result.stdout).not.toMatch(/metrics|Telemetry/);
		expect(result.stdout.endsWith('$manager="manager"],\n};\n')).toBe(true);
	});

	it('accepts the last valid ports: all nodes end at 65535', async () => {
		const result = await run(['-p', '65533', '-m', '65529']);
		expect(result.code).toBe(0);
		expect(result.stdout).toContain('$p=65535/tcp');
		expect(result.stdout).toContain('$metrics_port=65535/tcp');
	});

	it('prints help listing every flag, its default and the differences from the reference', async () => {
		for (const flag of ['-h', '--help']) {
			const result = await run(['-W', '2', flag]);
			expect(result.code).toBe(0);
			expect(result.stderr).toBe('');
			const help = result.stdout;
			for (const option of [
				'-L, --loggers',
				'-P, --proxies',
				'-W, --workers',
				'-a, --address',
				'-p, --port',
				'-m, --metrics-port',
				'-b, --metrics-address',
				'-o, --output',
				'-h, --help',
			]) {
				expect(help).toContain(option);
			}
			for (const value of [
				'default 1)',
				'default 4)',
				'default 127.0.0.1',
				'default 27760',
				'default 9991',
				'default 0.0.0.0',
			]) {
				expect(help).toContain(value);
			}
			expect(help).toContain('zeek-cluster-layout-generator');
			expect(help).toMatch(/negative/);
			expect(help).toMatch(/1-65535/);
			expect(help).toContain('$ip=[::1]');
			expect(help).toMatch(/0 = no metrics ports/);
		}
	});
});

describe('zeek-tui layout -o FILE', () => {
	it('writes the file and nothing else, prints nothing', async () => {
		const file = path.join(directory, 'cluster-layout.zeek');
		expect(await run(['-o', file])).toEqual({code: 0, stdout: '', stderr: ''});
		expect(readFileSync(file, 'utf8')).toBe(defaultsOutput);
		expect(readdirSync(directory)).toEqual(['cluster-layout.zeek']);
	});

	it('replaces an existing file by rename: a reader of the old file keeps the old text', async () => {
		const file = path.join(directory, 'cluster-layout.zeek');
		writeFileSync(file, 'old layout\n', {mode: 0o600});
		const oldInode = statSync(file).ino;
		const reader = openSync(file, 'r');
		try {
			expect(await run(['--output', file, '-W', '1'])).toEqual({code: 0, stdout: '', stderr: ''});
			const buffer = Buffer.alloc(64);
			const length = readSync(reader, buffer, 0, buffer.length, 0);
			expect(buffer.subarray(0, length).toString()).toBe('old layout\n');
		} finally {
			closeSync(reader);
		}
		expect(statSync(file).ino).not.toBe(oldInode);
		expect(statSync(file).mode & 0o777).toBe(0o600);
		expect(readFileSync(file, 'utf8')).toContain('["worker-1"]');
		expect(readFileSync(file, 'utf8')).not.toContain('["worker-2"]');
		expect(readdirSync(directory)).toEqual(['cluster-layout.zeek']);
	});

	it('-o - writes to stdout, as the reference does', async () => {
		expect(await run(['-o', '-'])).toEqual({code: 0, stdout: defaultsOutput, stderr: ''});
	});
});

describe('zeek-tui layout refuses bad input: exit 2, one line, nothing written', () => {
	function expectRefused(result: {code: number; stdout: string; stderr: string}, mention: string) {
		expect(result.code).toBe(2);
		expect(result.stdout).toBe('');
		expect(result.stderr).toMatch(/^zeek-tui layout: [^\n]+\n$/);
		expect(result.stderr).not.toMatch(/^\s*at /m);
		expect(result.stderr).toContain(mention);
	}

	// Each runs with `-o <dir>/out.zeek` first, to prove that nothing is created.
	const cases: Array<[string, string[], string]> = [
		[
			'a negative count',
			['-W', '-1'],
			'-W "-1": expected a whole number of workers from 0 to 65535',
		],
		['a negative long-form count', ['--loggers=-2'], '--loggers "-2": expected a whole number'],
		['a fractional count', ['-P', '1.5'], '-P "1.5"'],
		['a count that is not a number', ['-W', 'four'], '-W "four"'],
		['an empty count', ['-W', ''], '-W ""'],
		['a huge count', ['-m', '0', '-W', '1000000'], 'from 0 to 65535'],
		['an unknown short flag', ['-x', '1'], 'unknown flag -x: expected one of -L/--loggers'],
		['an unknown long flag', ['--worker=2'], 'unknown flag --worker'],
		['a stray argument', ['4'], 'unexpected argument "4"'],
		['a missing value', ['-W'], '-W needs a value'],
		[
			'a missing long-form value',
			['--address'],
			'--address needs a value: expected an IPv4 or IPv6 address',
		],
		[
			'a host name as address',
			['-a', 'localhost'],
			'-a "localhost": expected an IPv4 or IPv6 address',
		],
		['an impossible IPv4 address', ['-a', '256.1.1.1'], '-a "256.1.1.1"'],
		['a bracketed IPv6 address', ['-a', '[::1]'], '-a "[::1]"'],
		['a host name as metrics address', ['-b', 'example.com'], '-b "example.com"'],
		['port 0', ['-p', '0'], '-p "0": expected a port number from 1 to 65535'],
		['a port past 65535', ['-p', '65536'], '-p "65536"'],
		['a cluster port run past 65535', ['-p', '65534'], 'the last cluster port would be 65536'],
		[
			'a cluster port run past 65535 by count',
			['-L', '40000'],
			'-p 27760 (the default): the last cluster port would be 67761',
		],
		['a metrics port past 65535', ['-m', '70000'], '-m "70000"'],
		[
			'a metrics port run past 65535',
			['-m', '65530'],
			'-m "65530": the last metrics port would be 65536',
		],
		[
			'a metrics port run past 65535 by count',
			['-W', '60000'],
			'-m 9991 (the default): the last metrics port would be 69993',
		],
		['-h with a value', ['--help=yes'], '--help takes no value'],
	];

	it.each(cases)('%s', async (_name, argv, mention) => {
		const out = path.join(directory, 'out.zeek');
		expectRefused(await run(['-o', out, ...argv]), mention);
		expect(readdirSync(directory)).toEqual([]);
	});

	it('an -o in a directory that does not exist', async () => {
		const out = path.join(directory, 'missing', 'out.zeek');
		expectRefused(await run(['-o', out]), 'its directory does not exist');
		expect(readdirSync(directory)).toEqual([]);
	});

	it('an -o under a regular file', async () => {
		writeFileSync(path.join(directory, 'file'), '');
		expectRefused(await run(['-o', path.join(directory, 'file', 'out.zeek')]), 'not a directory');
		expect(readdirSync(directory)).toEqual(['file']);
	});

	it('an -o that is a directory, leaving no temporary file beside it', async () => {
		mkdirSync(path.join(directory, 'sub'));
		expectRefused(await run(['-o', path.join(directory, 'sub')]), 'it is a directory');
		expect(readdirSync(directory)).toEqual(['sub']);
		expect(readdirSync(path.join(directory, 'sub'))).toEqual([]);
	});

	it('an -o in a directory it may not write', async () => {
		// root writes through mode bits; sysfs refuses new files to everyone.
		const unwritable = process.getuid?.() === 0 ? '/sys' : directory;
		if (unwritable === directory) chmodSync(directory, 0o555);
		const out = path.join(unwritable, 'zeek-tui-layout-test.zeek');
		expectRefused(await run(['-o', out]), 'permission denied');
		expect(readdirSync(unwritable)).not.toContain('zeek-tui-layout-test.zeek');
		expect(readdirSync(unwritable).filter((name) => name.includes('zeek-tui-layout-test'))).toEqual(
			[],
		);
	});
});

describe('zeek-tui layout never throws', () => {
	const failing = (code: string) =>
		new Writable({
			write(_chunk, _encoding, callback) {
				callback(Object.assign(new Error(`write ${code}`), {code}));
			},
		});

	it('ends quietly, exit 0, when stdout is a closed pipe (zeek-tui layout | head -1)', async () => {
		const stderr = new TextSink();
		expect(await runLayoutCommand([], {stdout: failing('EPIPE'), stderr})).toBe(0);
		expect(stderr.text).toBe('');
	});

	it('reports any other failure of stdout as one line and exit 1', async () => {
		const stderr = new TextSink();
		expect(await runLayoutCommand([], {stdout: failing('EIO'), stderr})).toBe(1);
		expect(stderr.text).toBe('zeek-tui layout: write EIO\n');
	});
});
