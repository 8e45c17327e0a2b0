import {
	appendFileSync,
	mkdtempSync,
	readdirSync,
	renameSync,
	rmSync,
	symlinkSync,
	writeFileSync,
} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import type {LogSource} from '../source/cluster/types.js';
import {
	MAX_LINE_CHARS,
	SKIP_THRESHOLD_BYTES,
	TAIL_WINDOW_BYTES,
	openLogTail,
} from '../source/logs/log-tail.js';
import {FifoGuards, makeFifo} from './helpers/fifo.js';

const POLL_MS = 50;

let dir: string;
let tail: LogSource | undefined;

beforeEach(() => {
	dir = mkdtempSync(join(tmpdir(), 'zeek-tui-log-tail-'));
});

const fifos = new FifoGuards();

afterEach(() => {
	fifos.stop();
	tail?.close();
	tail = undefined;
	rmSync(dir, {recursive: true, force: true});
});

function open(maxLines?: number): LogSource {
	tail = openLogTail(dir, {pollMs: POLL_MS, maxLines});
	return tail;
}

const texts = (source: LogSource) => source.lines().map((line) => line.text);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!condition()) {
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await sleep(10);
	}
}

function numbered(from: number, to: number): string {
	let text = '';
	for (let index = from; index < to; index++) text += `line ${index}\n`;
	return text;
}

function openFdCount(): number {
	return readdirSync('/proc/self/fd').length;
}

describe('openLogTail', () => {
	it('shows only the recent end of a large existing file at open, starting on a whole line', () => {
		// ~4.5 MiB: reading all of it would show line 0.
		writeFileSync(join(dir, 'stdout.log'), numbered(0, 400_000));
		const source = open(100_000);
		const lines = texts(source);
		expect(lines.at(-1)).toBe('line 399999');
		expect(lines).not.toContain('line 0');
		// Every line shown is whole: the cut line at the window's start was dropped.
		for (const text of lines) expect(text).toMatch(/^line \d+$/);
		const shownBytes = lines.reduce((sum, text) => sum + text.length + 1, 0);
		expect(shownBytes).toBeLessThanOrEqual(TAIL_WINDOW_BYTES);
		expect(shownBytes).toBeGreaterThan(TAIL_WINDOW_BYTES - 100);
	});

	it('follows growth of both files and marks each line with its stream, in arrival order', async () => {
		writeFileSync(join(dir, 'stdout.log'), 'old out\n');
		writeFileSync(join(dir, 'stderr.log'), 'old err\n');
		const source = open();
		expect(source.lines()).toEqual([
			{stream: 'stdout', text: 'old out'},
			{stream: 'stderr', text: 'old err'},
		]);
		appendFileSync(join(dir, 'stderr.log'), 'first\n');
		await waitFor(() => texts(source).includes('first'), 'first');
		appendFileSync(join(dir, 'stdout.log'), 'second\n');
		await waitFor(() => texts(source).includes('second'), 'second');
		appendFileSync(join(dir, 'stderr.log'), 'third\n');
		await waitFor(() => texts(source).includes('third'), 'third');
		expect(source.lines().slice(2)).toEqual([
			{stream: 'stderr', text: 'first'},
			{stream: 'stdout', text: 'second'},
			{stream: 'stderr', text: 'third'},
		]);
	});

	it('holds an unterminated line back until its newline arrives', async () => {
		const file = join(dir, 'stdout.log');
		writeFileSync(file, 'done\nhal');
		const source = open();
		expect(texts(source)).toEqual(['done']);
		appendFileSync(file, 'f a li');
		await sleep(POLL_MS * 4);
		expect(texts(source)).toEqual(['done']);
		appendFileSync(file, 'ne\r\nnext\n');
		await waitFor(() => texts(source).includes('next'), 'next');
		expect(texts(source)).toEqual(['done', 'half a line', 'next']);
	});

	it('keeps a multi-byte character that straddles two reads whole', async () => {
		const file = join(dir, 'stdout.log');
		writeFileSync(file, '');
		const source = open();
		// 2 bytes each: the 64 KiB read boundary falls inside one of them.
		const wide = 'é'.repeat(40_000);
		appendFileSync(file, `${wide}\n`);
		await waitFor(() => source.lines().length === 1, 'the wide line');
		expect(texts(source)).toEqual([wide]);
	});

	it('cuts a line that never ends so memory stays bounded', async () => {
		const file = join(dir, 'stdout.log');
		writeFileSync(file, '');
		const source = open();
		appendFileSync(file, 'z'.repeat(MAX_LINE_CHARS * 3 + 1));
		await waitFor(() => source.lines().length === 3, 'the cut pieces');
		expect(texts(source)).toEqual(Array.from({length: 3}, () => 'z'.repeat(MAX_LINE_CHARS)));
		appendFileSync(file, 'z\n');
		await waitFor(() => source.lines().length === 4, 'the rest of the line');
		expect(texts(source)[3]).toBe('zz');
	});

	it('starts over from the beginning when the file is truncated', async () => {
		const file = join(dir, 'stdout.log');
		writeFileSync(file, numbered(0, 100));
		const source = open();
		expect(texts(source).at(-1)).toBe('line 99');
		writeFileSync(file, 'after truncation\n');
		await waitFor(() => texts(source).includes('after truncation'), 'the new content');
		expect(texts(source).at(-1)).toBe('after truncation');
	});

	it('starts over from the beginning when the file is replaced by a larger one', async () => {
		const file = join(dir, 'stdout.log');
		writeFileSync(file, 'old 1\nold 2\n');
		const source = open();
		// Larger than the old offset: only the inode tells that this is a new file.
		const replacement = join(dir, 'replacement');
		writeFileSync(replacement, 'new 1\nnew 2\nnew 3\nnew 4\n');
		renameSync(replacement, file);
		await waitFor(() => texts(source).includes('new 4'), 'the new file');
		expect(texts(source)).toEqual(['old 1', 'old 2', 'new 1', 'new 2', 'new 3', 'new 4']);
	});

	it('picks up files created after it was opened, from their first byte', async () => {
		const source = open();
		expect(source.lines()).toEqual([]);
		await sleep(POLL_MS * 3);
		writeFileSync(join(dir, 'stderr.log'), 'fatal error: no such interface\n');
		await waitFor(() => source.lines().length > 0, 'the late file');
		expect(source.lines()).toEqual([{stream: 'stderr', text: 'fatal error: no such interface'}]);
	});

	it('strips ANSI escape codes and keeps what a terminal shows after a carriage return', async () => {
		const file = join(dir, 'stdout.log');
		writeFileSync(file, '\u001B[31mred\u001B[0m and \u001B[1mbold\u001B[22m\n');
		const source = open();
		appendFileSync(file, 'progress 10%\rprogress 100%\n');
		await waitFor(() => source.lines().length === 2, 'two lines');
		expect(texts(source)).toEqual(['red and bold', 'progress 100%']);
	});

	it('stays within maxLines while 100,000 lines arrive, and ends on the last one', async () => {
		const file = join(dir, 'stdout.log');
		writeFileSync(file, '');
		const source = open(500);
		let largest = 0;
		source.subscribe(() => {
			largest = Math.max(largest, source.lines().length);
		});
		for (let batch = 0; batch < 10; batch++) {
			appendFileSync(file, numbered(batch * 10_000, (batch + 1) * 10_000));
		}
		await waitFor(() => texts(source).at(-1) === 'line 99999', 'the last line');
		expect(largest).toBe(500);
		expect(texts(source)).toEqual(numbered(99_500, 100_000).trimEnd().split('\n'));
	});

	it('jumps to the end of a backlog too large to catch up, and says so', async () => {
		const file = join(dir, 'stdout.log');
		writeFileSync(file, '');
		// Room for more lines than the tail window holds, so the gap is in view.
		const source = open(5000);
		const line = `${'x'.repeat(99)}\n`;
		appendFileSync(file, line.repeat(Math.ceil((SKIP_THRESHOLD_BYTES * 1.25) / line.length)));
		appendFileSync(file, 'the end\n');
		await waitFor(() => texts(source).at(-1) === 'the end', 'the last line', 5_000);
		// One tick reads a bounded slice, so without the jump this would take dozens of ticks.
		const marker = texts(source).find((text) => text.startsWith('[zeek-tui] skipped'));
		expect(marker).toMatch(/^\[zeek-tui\] skipped \d+\.\d MiB of stdout to catch up$/);
		const afterMarker = texts(source).slice(texts(source).indexOf(marker!) + 1);
		expect(afterMarker.length).toBeLessThan(TAIL_WINDOW_BYTES / line.length + 2);
		expect(afterMarker.slice(0, -1).every((text) => text === 'x'.repeat(99))).toBe(true);
	});

	it('notifies once per tick with new lines, and not at all while idle', async () => {
		const file = join(dir, 'stdout.log');
		writeFileSync(file, '');
		const source = open();
		let notifications = 0;
		source.subscribe(() => notifications++);
		// All written between two ticks: one tick picks them all up.
		for (let index = 0; index < 50; index++) appendFileSync(file, `burst ${index}\n`);
		await waitFor(() => notifications > 0, 'a notification');
		expect(source.lines()).toHaveLength(50);
		await sleep(POLL_MS * 6);
		expect(notifications).toBe(1);
	});

	it('unsubscribes a listener', async () => {
		const file = join(dir, 'stdout.log');
		writeFileSync(file, '');
		const source = open();
		let calls = 0;
		const unsubscribe = source.subscribe(() => calls++);
		unsubscribe();
		appendFileSync(file, 'hello\n');
		await waitFor(() => source.lines().length === 1, 'the line');
		await sleep(POLL_MS * 2);
		expect(calls).toBe(0);
	});

	it('returns the same lines array until lines are added', async () => {
		const file = join(dir, 'stdout.log');
		writeFileSync(file, 'one\n');
		const source = open();
		const before = source.lines();
		await sleep(POLL_MS * 3);
		expect(source.lines()).toBe(before);
		appendFileSync(file, 'two\n');
		await waitFor(() => source.lines() !== before, 'a new array');
		expect(before).toHaveLength(1);
	});

	it('stops polling and closes its descriptors on close()', async () => {
		const file = join(dir, 'stdout.log');
		writeFileSync(file, 'one\n');
		writeFileSync(join(dir, 'stderr.log'), '');
		const fdsBefore = openFdCount();
		const source = open();
		expect(openFdCount()).toBe(fdsBefore + 2);
		let notifications = 0;
		source.subscribe(() => notifications++);
		source.close();
		expect(openFdCount()).toBe(fdsBefore);
		appendFileSync(file, 'two\n');
		await sleep(POLL_MS * 6);
		expect(texts(source)).toEqual(['one']);
		expect(notifications).toBe(0);
	});

	it('never blocks on a FIFO in place of a log: says so once, and shows the other stream', async () => {
		const fifo = join(dir, 'stdout.log');
		makeFifo(fifo);
		// Releases a regression's blocked open after 3 s, so it fails instead of hanging.
		fifos.guard(fifo);
		writeFileSync(join(dir, 'stderr.log'), 'err 1\n');
		const began = Date.now();
		const source = open();
		expect(Date.now() - began).toBeLessThan(1000);
		appendFileSync(join(dir, 'stderr.log'), 'err 2\n');
		await waitFor(() => texts(source).includes('err 2'), 'err 2', 2000);
		await sleep(POLL_MS * 4);
		expect(texts(source)).toEqual([
			`[zeek-tui] not showing ${fifo}: it is a FIFO, not a regular file`,
			'err 1',
			'err 2',
		]);
	});

	it('does not follow a symlink in place of a log', async () => {
		const outside = mkdtempSync(join(tmpdir(), 'zeek-tui-log-tail-outside-'));
		try {
			writeFileSync(join(outside, 'secret'), 'secret\n');
			symlinkSync(join(outside, 'secret'), join(dir, 'stdout.log'));
			const source = open();
			await sleep(POLL_MS * 3);
			expect(texts(source)).toEqual([
				`[zeek-tui] not showing ${join(dir, 'stdout.log')}: it is a symbolic link; zeek-tui does not follow links there`,
			]);
		} finally {
			rmSync(outside, {recursive: true, force: true});
		}
	});
});
