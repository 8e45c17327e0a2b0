// Root never writes through a link it did not make and never blocks on a file that is not a
// regular one: the safe opens themselves, then a spool with links and FIFOs planted in it.
import {
	chmodSync,
	chownSync,
	closeSync,
	constants,
	linkSync,
	lstatSync,
	openSync,
	mkdirSync,
	readFileSync,
	readdirSync,
	rmSync,
	statSync,
	symlinkSync,
	writeFileSync,
} from 'node:fs';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {createController, type ClusterEvent} from '../source/cluster/controller.js';
import {statusSaysRunning} from '../source/cluster/process.js';
import {
	UnsafeFileError,
	openAppendNoFollow,
	othersCanWrite,
	readRegularFile,
	securePrivateDirectory,
	writeFileReplacing,
} from '../source/cluster/safe-files.js';
import {runCli} from './helpers/cli.js';
import {FifoGuards, makeFifo, timed} from './helpers/fifo.js';
import {startHeadless, upUnder} from './helpers/headless-process.js';
import {waitFor} from './helpers/processes.js';
import {
	FAST,
	LAYOUT_TEXT,
	Sandbox,
	fakeSpec,
	isRunning,
	settled,
	starts,
} from './fixtures/cluster.js';

const sandbox = new Sandbox();
const fifos = new FifoGuards();
afterEach(() => {
	fifos.stop();
	sandbox.cleanup();
});

const mode = (file: string) => statSync(file).mode & 0o7777;
const SECRET = 'root:secret:0:0\n';
/** Far below the watchdog's 3 s: the open did not wait for it. */
const PROMPT_MS = 1000;

/** A 0600 file outside the spool, the kind a planted link points at. */
function outsideFile(): string {
	const dir = sandbox.spool();
	const file = path.join(dir, 'shadow');
	writeFileSync(file, SECRET, {mode: 0o600});
	return file;
}

function expectUntouched(file: string): void {
	expect(readFileSync(file, 'utf8')).toBe(SECRET);
	expect(mode(file)).toBe(0o600);
}

describe('the safe opens', () => {
	it('append: refuses a symlink, names it, and leaves its target untouched', () => {
		const dir = sandbox.spool();
		const target = outsideFile();
		const link = path.join(dir, 'stdout.log');
		symlinkSync(target, link);
		expect(() => openAppendNoFollow(link)).toThrow(UnsafeFileError);
		expect(() => openAppendNoFollow(link)).toThrow(`${link} is a symbolic link`);
		expectUntouched(target);
	});

	it('append: refuses a file with another hard link, its other name untouched', () => {
		const dir = sandbox.spool();
		const target = path.join(dir, 'shadow');
		writeFileSync(target, SECRET, {mode: 0o600});
		const log = path.join(dir, 'stdout.log');
		linkSync(target, log);
		expect(() => openAppendNoFollow(log)).toThrow(
			`${log} has 2 hard links; zeek-tui does not append to it`,
		);
		expectUntouched(target);
	});

	it('append: refuses a FIFO at once, with and without a reader', () => {
		const fifo = path.join(sandbox.spool(), 'stdout.log');
		makeFifo(fifo);
		fifos.guard(fifo);
		expect(timed(() => expect(() => openAppendNoFollow(fifo)).toThrow(/is a FIFO/))).toBeLessThan(
			PROMPT_MS,
		);
		// A read-write open of a FIFO never blocks on Linux: now it has a reader.
		const reader = openSync(fifo, constants.O_RDWR);
		try {
			expect(() => openAppendNoFollow(fifo)).toThrow(`${fifo} is a FIFO, not a regular file`);
		} finally {
			closeSync(reader);
		}
	});

	it('append: creates 0644 (the umask applies), appends to a regular file', () => {
		const file = path.join(sandbox.spool(), 'stderr.log');
		writeFileSync(file, 'old\n');
		for (const text of ['one\n', 'two\n']) {
			const fd = openAppendNoFollow(file);
			writeFileSync(fd, text);
			closeSync(fd);
		}
		expect(readFileSync(file, 'utf8')).toBe('old\none\ntwo\n');
		const fresh = path.join(path.dirname(file), 'new.log');
		closeSync(openAppendNoFollow(fresh));
		expect(mode(fresh)).toBe(0o644 & ~process.umask());
	});

	it('replace: a planted symlink is replaced by a file of exactly the mode, its target untouched', () => {
		const dir = sandbox.spool();
		const target = outsideFile();
		const link = path.join(dir, 'cluster-layout.zeek');
		symlinkSync(target, link);
		writeFileReplacing(link, LAYOUT_TEXT, 0o644);
		expectUntouched(target);
		expect(lstatSync(link).isFile()).toBe(true);
		expect(readFileSync(link, 'utf8')).toBe(LAYOUT_TEXT);
		expect(mode(link)).toBe(0o644);
		writeFileReplacing(link, 'again\n', 0o600);
		expect(mode(link)).toBe(0o600);
		expect(readdirSync(dir)).toEqual(['cluster-layout.zeek']);
	});

	it('read: refuses a FIFO, a device, a link (unless followed) and a file over the limit', () => {
		const dir = sandbox.spool();
		const fifo = path.join(dir, '.status');
		makeFifo(fifo);
		fifos.guard(fifo);
		expect(timed(() => expect(readRegularFileFails(fifo)).toMatch(/is a FIFO/))).toBeLessThan(
			PROMPT_MS,
		);
		expect(() => readRegularFile('/dev/zero', {maxBytes: 10, followLinks: true})).toThrow(
			'/dev/zero is a character device, not a regular file',
		);
		const file = path.join(dir, 'layout');
		writeFileSync(file, 'x'.repeat(100));
		const link = path.join(dir, 'link');
		symlinkSync(file, link);
		expect(() => readRegularFile(link, {maxBytes: 1000})).toThrow(/is a symbolic link/);
		expect(readRegularFile(link, {maxBytes: 1000, followLinks: true}).data.length).toBe(100);
		expect(readRegularFile(file, {maxBytes: 100}).data.toString()).toBe('x'.repeat(100));
		expect(() => readRegularFile(file, {maxBytes: 99})).toThrow(`${file} is larger than 99 bytes`);
	});

	it('directories: writable by others (no sticky bit) or owned by another user is named', () => {
		const dir = sandbox.spool();
		chmodSync(dir, 0o755);
		expect(othersCanWrite(dir)).toBeUndefined();
		chmodSync(dir, 0o777);
		expect(othersCanWrite(dir)).toBe('is writable by other users (mode 0777)');
		chmodSync(dir, 0o775);
		expect(othersCanWrite(dir)).toBe('is writable by its group (mode 0775)');
		chmodSync(dir, 0o1777);
		expect(othersCanWrite(dir)).toBeUndefined();
		if (process.geteuid?.() === 0) {
			chmodSync(dir, 0o755);
			chownSync(dir, 65_534, 65_534);
			expect(othersCanWrite(dir)).toBe('is owned by another user (uid 65534)');
		}
	});

	it('the private directory: made 0700, and a symlink in its place refused', () => {
		const spool = sandbox.spool();
		const dir = path.join(spool, '.zeek-tui');
		mkdirSync(dir, {mode: 0o755});
		securePrivateDirectory(dir);
		expect(mode(dir)).toBe(0o700);
		rmSync(dir, {recursive: true});
		const elsewhere = sandbox.spool();
		symlinkSync(elsewhere, dir);
		expect(() => securePrivateDirectory(dir)).toThrow(`${dir} is a symbolic link`);
	});

	it('.status as a FIFO (a node can make one) is no status, read without blocking', () => {
		const fifo = path.join(sandbox.spool(), '.status');
		makeFifo(fifo);
		fifos.guard(fifo);
		const startedAt = Date.now() - 60_000;
		let running: boolean | undefined;
		// Judged by the process alone, as a node that writes no status file is.
		expect(timed(() => (running = statusSaysRunning(fifo, startedAt)))).toBeLessThan(PROMPT_MS);
		expect(running).toBe(true);
	});
});

function readRegularFileFails(file: string): string {
	try {
		readRegularFile(file, {maxBytes: 4096});
	} catch (error) {
		return (error as Error).message;
	}
	return 'read';
}

describe('a spool with links and FIFOs planted in it', () => {
	function recorder(controller: ReturnType<typeof createController>) {
		const events: ClusterEvent[] = [];
		controller.onEvent((event) => events.push(event));
		return events;
	}

	it('the layout copies: both links replaced by regular files, the outside files untouched, the node runs', async () => {
		const spool = sandbox.spool();
		const target = outsideFile();
		const spoolTarget = outsideFile();
		mkdirSync(path.join(spool, 'manager'));
		symlinkSync(target, path.join(spool, 'manager', 'cluster-layout.zeek'));
		symlinkSync(spoolTarget, path.join(spool, 'cluster-layout.zeek'));
		const spec = fakeSpec(spool, [{name: 'manager'}]);
		const controller = sandbox.track(createController(spec, FAST));
		await controller.start();
		await settled(controller, spool);
		expectUntouched(target);
		expectUntouched(spoolTarget);
		for (const copy of [
			path.join(spool, 'manager', 'cluster-layout.zeek'),
			path.join(spool, 'cluster-layout.zeek'),
		]) {
			expect(lstatSync(copy).isFile()).toBe(true);
			expect(readFileSync(copy, 'utf8')).toBe(LAYOUT_TEXT);
			expect(mode(copy)).toBe(0o644);
		}
		await controller.stopAll();
	});

	it('a node directory other users can write: a warning, and a link planted there still not written through', async () => {
		const spool = sandbox.spool();
		const target = outsideFile();
		const nodeDir = path.join(spool, 'manager');
		mkdirSync(nodeDir);
		chmodSync(nodeDir, 0o777);
		symlinkSync(target, path.join(nodeDir, 'cluster-layout.zeek'));
		const spec = fakeSpec(spool, [{name: 'manager'}]);
		const controller = sandbox.track(createController(spec, FAST));
		const events = recorder(controller);
		await controller.start();
		expect(events.find((event) => event.kind === 'warning')).toEqual(
			expect.objectContaining({
				node: 'manager',
				detail: {
					message: `${nodeDir} is writable by other users (mode 0777): zeek writes its logs there, make it writable by its owner only`,
				},
			}),
		);
		await settled(controller, spool);
		expectUntouched(target);
		expect(readFileSync(path.join(nodeDir, 'cluster-layout.zeek'), 'utf8')).toBe(LAYOUT_TEXT);
		await controller.stopAll();
	});

	it('stdout.log as a symlink: the node is refused naming it, the others run, and it starts once the link is gone', async () => {
		const spool = sandbox.spool();
		const target = outsideFile();
		const link = path.join(spool, 'manager', 'stdout.log');
		mkdirSync(path.dirname(link));
		symlinkSync(target, link);
		const spec = fakeSpec(spool, [{name: 'logger-1'}, {name: 'manager'}]);
		const controller = sandbox.track(createController(spec, FAST));
		const events = recorder(controller);
		await controller.start();
		const refused = await waitFor(() =>
			events.find((event) => event.node === 'manager' && event.kind === 'crashed'),
		);
		expect(refused.detail.error).toBe(
			`${link} is a symbolic link; zeek-tui does not follow links there`,
		);
		expect(starts(spool, 'manager')).toHaveLength(0);
		expect(controller.snapshot().nodes.find((node) => node.name === 'logger-1')?.state).toBe(
			'running',
		);
		expectUntouched(target);

		rmSync(link);
		await settled(controller, spool);
		// The node writes its line just after it is up: wait for it, then check it went here.
		const written = await waitFor(() => readFileSync(link, 'utf8') || undefined);
		expect(written).toMatch(/^fake-zeek stdout pid=\d+\n$/);
		expectUntouched(target);
		await controller.stopAll();
	});

	it('stderr.log as a FIFO: refused at once naming it, the supervisor goes on', async () => {
		const spool = sandbox.spool();
		const fifo = path.join(spool, 'manager', 'stderr.log');
		mkdirSync(path.dirname(fifo));
		makeFifo(fifo);
		fifos.guard(fifo);
		const spec = fakeSpec(spool, [{name: 'manager'}]);
		const controller = sandbox.track(createController(spec, FAST));
		const events = recorder(controller);
		const began = Date.now();
		await controller.start();
		const refused = await waitFor(() => events.find((event) => event.kind === 'crashed'));
		expect(Date.now() - began).toBeLessThan(PROMPT_MS);
		expect(refused.detail.error).toBe(`${fifo} is a FIFO, not a regular file`);
		expect(starts(spool, 'manager')).toHaveLength(0);
		await controller.stopAll();
	});

	it('a node directory that is a symlink is refused, nothing written where it points', async () => {
		const spool = sandbox.spool();
		const elsewhere = sandbox.spool();
		symlinkSync(elsewhere, path.join(spool, 'manager'));
		const spec = fakeSpec(spool, [{name: 'manager'}]);
		const controller = sandbox.track(createController(spec, FAST));
		const events = recorder(controller);
		await controller.start();
		const refused = await waitFor(() => events.find((event) => event.kind === 'crashed'));
		expect(refused.detail.error).toBe(
			`${path.join(spool, 'manager')} is a symbolic link; zeek-tui does not follow links there`,
		);
		expect(readdirSync(elsewhere)).toEqual([]);
		await controller.stopAll();
	});

	it('a spool other users can write is refused before anything starts; a sticky one is not', async () => {
		const spool = sandbox.spool();
		chmodSync(spool, 0o777);
		const spec = fakeSpec(spool, [{name: 'manager'}]);
		await expect(sandbox.track(createController(spec, FAST)).start()).rejects.toThrow(
			`${spool} is writable by other users (mode 0777), so another user could plant links`,
		);
		expect(readdirSync(spool)).toEqual([]);

		chmodSync(spool, 0o1777);
		const controller = sandbox.track(createController(spec, FAST));
		await controller.start();
		await settled(controller, spool);
		expect(mode(path.join(spool, '.zeek-tui'))).toBe(0o700);
		await controller.stopAll();
	});

	it('zeek-tui.log as a symlink: the start is refused naming it, the target untouched', async () => {
		const spool = sandbox.spool();
		const target = outsideFile();
		mkdirSync(path.join(spool, '.zeek-tui'), {mode: 0o700});
		const link = path.join(spool, '.zeek-tui', 'zeek-tui.log');
		symlinkSync(target, link);
		const spec = fakeSpec(spool, [{name: 'manager'}]);
		await expect(sandbox.track(createController(spec, FAST)).start()).rejects.toThrow(
			`${link} is a symbolic link`,
		);
		expectUntouched(target);
		expect(starts(spool, 'manager')).toHaveLength(0);
	});
});

describe('the supervisor never blocks on a FIFO', () => {
	it('a node that makes its .status a FIFO: the cluster comes up and SIGTERM still stops it', async () => {
		const spool = sandbox.spool();
		const spec = fakeSpec(spool, [
			{name: 'manager', args: ['-U', '.status', 'local'], env: {FAKE_ZEEK_STATUS_FIFO: '1'}},
			{name: 'worker-1'},
		]);
		const child = startHeadless(sandbox, spec);
		const pids = await upUnder(child.pid!, spec);
		expect(lstatSync(path.join(spool, 'manager', '.status')).isFIFO()).toBe(true);
		child.kill('SIGTERM');
		const result = await Promise.race([
			child,
			new Promise<undefined>((resolve) => setTimeout(resolve, 10_000)),
		]);
		expect(result?.exitCode).toBe(0);
		for (const pid of Object.values(pids)) expect(isRunning(pid)).toBe(false);
	});

	it.each([
		['/dev/zero', 'is a character device, not a regular file'],
		['fifo', 'is a FIFO, not a regular file'],
		['big', 'is larger than 1 MiB'],
	])('--layout %s is refused with one line, exit 2', async (name, reason) => {
		const dir = sandbox.spool();
		let file = name;
		if (name === 'fifo') {
			file = path.join(dir, 'layout.zeek');
			makeFifo(file);
			fifos.guard(file);
		} else if (name === 'big') {
			file = path.join(dir, 'layout.zeek');
			writeFileSync(file, `# ${'x'.repeat(1024 * 1024)}\n`);
		}
		const began = Date.now();
		const result = await runCli(['--dry-run', '--demo', '--layout', file, '--spool-dir', dir]);
		expect(Date.now() - began).toBeLessThan(2500);
		expect(result.exitCode).toBe(2);
		expect(result.stderr).toBe(`zeek-tui: --layout "${file}": the layout file ${reason}\n`);
		expect(result.stdout).toBe('');
	});
});
