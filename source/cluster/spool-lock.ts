// `<spool>/.zeek-tui/lock`: one supervisor per spool, taken atomically before anything else is
// written. The file names its holder (pid + start time) and appears whole: it is written under a
// private name and link(2)ed into place, which fails when the lock exists. A lock whose holder is
// dead (pid gone, or reused: another start time) is stale and is broken.
import {
	closeSync,
	constants,
	fstatSync,
	linkSync,
	mkdirSync,
	openSync,
	readSync,
	renameSync,
	unlinkSync,
	writeSync,
} from 'node:fs';
import path from 'node:path';
import {isAlive} from './process.js';
import {stateDir, type ProcessIdentity} from './state-file.js';

export const LOCK_FILE = 'lock';

const MAX_LOCK_BYTES = 4096;
const ATTEMPTS = 5;

export type SpoolLock = {
	/** Whether the lock file still names this holder (nobody broke it). */
	held(): boolean;
	/** Removes the lock file if it is still this holder's. */
	release(): void;
};

export type LockResult = {ok: true; lock: SpoolLock} | {ok: false; holder: ProcessIdentity};

export function lockFilePath(spoolDir: string): string {
	return path.join(stateDir(spoolDir), LOCK_FILE);
}

/** The live holder of the spool's lock, if any; reads only. */
export function liveLockHolder(spoolDir: string): ProcessIdentity | undefined {
	const holder = parseHolder(readLock(lockFilePath(spoolDir)));
	return holder && isAlive(holder.pid, holder.startTime) ? holder : undefined;
}

/** Takes the spool for `self`, breaking a stale lock; creates the state directory (0700). */
export function acquireSpoolLock(spoolDir: string, self: ProcessIdentity): LockResult {
	mkdirSync(stateDir(spoolDir), {recursive: true, mode: 0o700});
	const file = lockFilePath(spoolDir);
	const content = `${JSON.stringify(self)}\n`;
	const lock: SpoolLock = {
		held: () => readLock(file) === content,
		release() {
			if (lock.held()) unlinkSync(file);
		},
	};
	const temp = `${file}.${self.pid}.${self.startTime}.tmp`;
	writePrivate(temp, content);
	try {
		let holder: ProcessIdentity | undefined;
		for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
			try {
				linkSync(temp, file);
				return {ok: true, lock};
			} catch (error) {
				if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
			}
			const seen = readLock(file);
			if (seen === undefined) continue; // Released meanwhile: try again.
			holder = parseHolder(seen);
			if (holder && isAlive(holder.pid, holder.startTime)) return {ok: false, holder};
			breakStale(file, seen, `${file}.${self.pid}.${self.startTime}.stale`);
		}
		// Lost every race: someone else keeps taking it.
		return {ok: false, holder: holder ?? self};
	} finally {
		unlinkQuietly(temp);
	}
}

/**
 * Moves the stale lock aside and removes it, unless what was moved is not what was judged stale
 * (another supervisor broke it first and took the spool): that one is put back.
 */
function breakStale(file: string, stale: string, aside: string): void {
	try {
		renameSync(file, aside);
	} catch {
		return; // Gone already.
	}
	if (readLock(aside) !== stale) {
		try {
			linkSync(aside, file);
		} catch {
			// Taken again meanwhile; the next attempt reads who holds it.
		}
	}
	unlinkQuietly(aside);
}

function writePrivate(file: string, content: string): void {
	unlinkQuietly(file);
	const fd = openSync(
		file,
		constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
		0o600,
	);
	try {
		writeSync(fd, content);
	} finally {
		closeSync(fd);
	}
}

/** The lock file's text, or undefined when there is none; never follows a link, never blocks. */
function readLock(file: string): string | undefined {
	let fd: number;
	try {
		fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		// A symlink planted as the lock reads as a lock nobody holds: it gets broken.
		return code === 'ELOOP' ? '' : undefined;
	}
	try {
		if (!fstatSync(fd).isFile()) return '';
		const buffer = Buffer.alloc(MAX_LOCK_BYTES);
		const length = readSync(fd, buffer, 0, MAX_LOCK_BYTES, 0);
		return buffer.subarray(0, length).toString('utf8');
	} finally {
		closeSync(fd);
	}
}

function parseHolder(text: string | undefined): ProcessIdentity | undefined {
	if (!text) return undefined;
	try {
		const data = JSON.parse(text) as Partial<ProcessIdentity>;
		if (Number.isInteger(data.pid) && Number.isInteger(data.startTime))
			return {pid: data.pid!, startTime: data.startTime!};
	} catch {
		// Not a lock zeek-tui wrote: nobody holds it.
	}
	return undefined;
}

function unlinkQuietly(file: string): void {
	try {
		unlinkSync(file);
	} catch {
		// Not there.
	}
}
