// Follows a node's stdout.log and stderr.log into one bounded, ANSI-free ring of lines.
//
// Reads are synchronous on purpose: they are bounded per tick (a stat when idle, at most
// READ_BUDGET_BYTES per file when busy), they hit the page cache of a local spool, and a
// synchronous tick leaves no read in flight when close() returns, so close() can release the
// descriptors at once.
import {closeSync, fstatSync, lstatSync, readSync} from 'node:fs';
import {join} from 'node:path';
import {StringDecoder} from 'node:string_decoder';
import stripAnsi from 'strip-ansi';
import {UnsafeFileError, openRegularForRead} from '../cluster/safe-files.js';
import type {LogLine, LogSource} from '../cluster/types.js';

export type LogTailOptions = {
	/** Lines kept in memory, oldest dropped first. Default 2000. */
	maxLines?: number;
	/** How often the files are checked for growth, in ms. Default 250. */
	pollMs?: number;
};

/** At open only the end of each file is read: node logs can be gigabytes. */
export const TAIL_WINDOW_BYTES = 256 * 1024;
const CHUNK_BYTES = 64 * 1024;
/** Per file and tick, so a flood is taken in slices instead of all at once. */
const READ_BUDGET_BYTES = 1024 * 1024;
/**
 * A backlog of more than two ticks' reading is not caught up line by line: all but the last
 * maxLines of it would be dropped anyway, and reading it made the pane lag behind a flood by
 * seconds (16 MiB took 4 s to show its last line). Jump to its tail instead.
 */
export const SKIP_THRESHOLD_BYTES = 2 * READ_BUDGET_BYTES;
/** A line that never ends (a binary blob, a progress bar) is cut here so memory stays bounded. */
export const MAX_LINE_CHARS = 64 * 1024;

type Stream = LogLine['stream'];

/** Oldest-first ring with a cached snapshot, so `lines()` is stable between changes. */
class LineRing {
	private items: LogLine[] = [];
	private start = 0;
	private snapshot: readonly LogLine[] | undefined;

	constructor(private readonly capacity: number) {}

	push(line: LogLine): void {
		this.items.push(line);
		if (this.items.length - this.start > this.capacity) this.start++;
		// Compact once the dead prefix is as long as the live part: amortised O(1) per line.
		if (this.start >= this.capacity) {
			this.items = this.items.slice(this.start);
			this.start = 0;
		}
		this.snapshot = undefined;
	}

	lines(): readonly LogLine[] {
		this.snapshot ??= this.items.slice(this.start);
		return this.snapshot;
	}
}

/** Cleans one raw line for display: escape codes out, and what a terminal would show after a `\r`. */
function cleanLine(raw: string): string {
	let text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
	if (text.includes('\u001B') || text.includes('\u009B')) text = stripAnsi(text);
	const carriageReturn = text.lastIndexOf('\r');
	return carriageReturn === -1 ? text : text.slice(carriageReturn + 1);
}

function formatMiB(bytes: number): string {
	return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

/** One file followed by offset; survives the file being absent, truncated or replaced. */
class FileFollower {
	private fd: number | undefined;
	private dev = 0n;
	private ino = 0n;
	private offset = 0;
	private partial = '';
	private decoder = new StringDecoder('utf8');
	/** After a jump into the middle of a file, the first (cut) line is not shown. */
	private discardUntilNewline = false;
	private lastError: string | undefined;

	constructor(
		private readonly path: string,
		private readonly stream: Stream,
		private readonly emit: (line: LogLine) => void,
		private readonly maxLinesPerChunk: number,
		private readonly buffer: Buffer,
	) {}

	/** Shows the recent end of the file, if it exists. Returns whether lines were added. */
	openAtTail(): boolean {
		return this.guard(() => {
			if (!this.openCurrent()) return false;
			const size = fstatSync(this.fd!).size;
			if (size > TAIL_WINDOW_BYTES) this.jumpTo(size - TAIL_WINDOW_BYTES);
			return this.readUpTo(size, TAIL_WINDOW_BYTES);
		});
	}

	/** One tick: a single stat when nothing changed. Returns whether lines were added. */
	poll(): boolean {
		return this.guard(() => {
			// lstat, as the open below does not follow a link either.
			const stat = lstatSync(this.path, {bigint: true, throwIfNoEntry: false});
			let added = false;
			if (this.fd !== undefined && (!stat || stat.ino !== this.ino || stat.dev !== this.dev)) {
				// Removed or replaced: take what the old file still holds, then follow the new one.
				added = this.readUpTo(fstatSync(this.fd).size, READ_BUDGET_BYTES);
				added = this.flushPartial() || added;
				this.closeFd();
			}
			if (!stat) return added;
			if (this.fd === undefined) {
				// A file that appears after the tail was opened is new: all of it is worth showing.
				if (!this.openCurrent()) return added;
			} else if (Number(stat.size) < this.offset) {
				// Truncated in place: whatever it holds now was written after the truncation.
				added = this.flushPartial() || added;
				this.offset = 0;
				this.discardUntilNewline = false;
			}
			const size = Number(stat.size);
			if (size - this.offset > SKIP_THRESHOLD_BYTES) {
				const skipped = size - TAIL_WINDOW_BYTES - this.offset;
				added = this.flushPartial() || added;
				// Marks the gap in place; it scrolls out of the ring once the gap is out of view.
				this.emit({
					stream: this.stream,
					text: `[zeek-tui] skipped ${formatMiB(skipped)} of ${this.stream} to catch up`,
				});
				added = true;
				this.jumpTo(size - TAIL_WINDOW_BYTES);
			}
			return this.readUpTo(size, READ_BUDGET_BYTES) || added;
		});
	}

	close(): void {
		this.closeFd();
	}

	/** Runs one step; an unexpected error (EACCES, EIO) is shown once as a line, not thrown. */
	private guard(step: () => boolean): boolean {
		try {
			const added = step();
			this.lastError = undefined;
			return added;
		} catch (error) {
			const message =
				error instanceof UnsafeFileError
					? `[zeek-tui] not showing ${error.file}: it ${error.reason}`
					: `[zeek-tui] cannot read ${this.path}: ${(error as Error).message}`;
			if (message === this.lastError) return false;
			this.lastError = message;
			this.emit({stream: this.stream, text: message});
			return true;
		}
	}

	/**
	 * Opens the file now at the path; identity comes from the descriptor, not the path. A FIFO,
	 * a device or a symlink in its place is refused (UnsafeFileError) without blocking.
	 */
	private openCurrent(): boolean {
		let fd: number;
		try {
			fd = openRegularForRead(this.path);
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
			throw error;
		}
		const stat = fstatSync(fd, {bigint: true});
		this.fd = fd;
		this.dev = stat.dev;
		this.ino = stat.ino;
		this.offset = 0;
		this.partial = '';
		this.decoder = new StringDecoder('utf8');
		this.discardUntilNewline = false;
		return true;
	}

	private jumpTo(offset: number): void {
		this.offset = offset;
		this.partial = '';
		this.decoder = new StringDecoder('utf8');
		this.discardUntilNewline = true;
	}

	/** Reads from the offset towards `size`, at most `budget` bytes, in CHUNK_BYTES reads. */
	private readUpTo(size: number, budget: number): boolean {
		let remaining = Math.min(size - this.offset, budget);
		let added = false;
		while (remaining > 0) {
			const length = Math.min(this.buffer.length, remaining);
			const read = readSync(this.fd!, this.buffer, 0, length, this.offset);
			if (read === 0) break;
			this.offset += read;
			remaining -= read;
			added = this.consume(this.decoder.write(this.buffer.subarray(0, read))) || added;
		}
		return added;
	}

	private consume(text: string): boolean {
		if (this.discardUntilNewline) {
			const newline = text.indexOf('\n');
			if (newline === -1) return false;
			text = text.slice(newline + 1);
			this.discardUntilNewline = false;
		}
		const pieces = (this.partial + text).split('\n');
		this.partial = pieces.pop()!;
		while (this.partial.length > MAX_LINE_CHARS) {
			pieces.push(this.partial.slice(0, MAX_LINE_CHARS));
			this.partial = this.partial.slice(MAX_LINE_CHARS);
		}
		// Lines older than the ring's capacity would be evicted by this same chunk: skip the work.
		const first = Math.max(0, pieces.length - this.maxLinesPerChunk);
		for (let index = first; index < pieces.length; index++) {
			this.emit({stream: this.stream, text: cleanLine(pieces[index]!)});
		}
		return pieces.length > 0;
	}

	/** The file ended (truncated, replaced) without a final newline: its last line is complete. */
	private flushPartial(): boolean {
		const rest = this.partial + this.decoder.end();
		this.partial = '';
		this.decoder = new StringDecoder('utf8');
		if (rest === '' || this.discardUntilNewline) return false;
		this.emit({stream: this.stream, text: cleanLine(rest)});
		return true;
	}

	private closeFd(): void {
		if (this.fd === undefined) return;
		closeSync(this.fd);
		this.fd = undefined;
	}
}

/**
 * Follows `<nodeDir>/stdout.log` and `<nodeDir>/stderr.log`. Lines of both streams share one ring
 * in the order they were read; the tails shown at open come stdout first, then stderr.
 */
export function openLogTail(nodeDir: string, options: LogTailOptions = {}): LogSource {
	const maxLines = Math.max(1, options.maxLines ?? 2000);
	const pollMs = options.pollMs ?? 250;
	const ring = new LineRing(maxLines);
	const listeners = new Set<() => void>();
	const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
	const push = (line: LogLine) => ring.push(line);
	const followers = (['stdout', 'stderr'] as const).map(
		(stream) => new FileFollower(join(nodeDir, `${stream}.log`), stream, push, maxLines, buffer),
	);
	let timer: NodeJS.Timeout | undefined;
	let closed = false;

	for (const follower of followers) follower.openAtTail();

	const tick = () => {
		if (closed) return;
		let added = false;
		for (const follower of followers) added = follower.poll() || added;
		// Scheduled before notifying, so a listener that throws does not stop the tail.
		schedule();
		if (added) for (const listener of [...listeners]) listener();
	};
	const schedule = () => {
		timer = setTimeout(tick, pollMs);
		// The tail alone must not keep zeek-tui alive.
		timer.unref();
	};
	schedule();

	return {
		lines: () => ring.lines(),
		subscribe(listener) {
			listeners.add(listener);
			return () => listeners.delete(listener);
		},
		close() {
			if (closed) return;
			closed = true;
			clearTimeout(timer);
			listeners.clear();
			for (const follower of followers) follower.close();
		},
	};
}
