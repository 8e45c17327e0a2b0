// Opening files in a spool that other processes (the nodes, perhaps other users) can write into:
// zeek-tui runs as root, so it never writes through a symlink it did not make, never blocks on a
// file that is not a regular file (a FIFO, a device), and never reads without a size limit.
import {randomBytes} from 'node:crypto';
import {
	closeSync,
	constants,
	fchmodSync,
	fstatSync,
	lstatSync,
	openSync,
	readSync,
	renameSync,
	statSync,
	unlinkSync,
	writeSync,
	type Stats,
} from 'node:fs';
import path from 'node:path';

const {O_APPEND, O_CREAT, O_DIRECTORY, O_EXCL, O_NOFOLLOW, O_NONBLOCK, O_RDONLY, O_WRONLY} =
	constants;

/** A file zeek-tui will not open as asked: a symlink, not a regular file, too large. */
export class UnsafeFileError extends Error {
	override name = 'UnsafeFileError';

	constructor(
		readonly file: string,
		readonly reason: string,
	) {
		super(`${file} ${reason}`);
	}
}

/** "a FIFO", "a directory", ... for a file that is not a regular one. */
function kindOf(stats: Stats): string {
	if (stats.isFile()) return 'a regular file';
	if (stats.isDirectory()) return 'a directory';
	if (stats.isSymbolicLink()) return 'a symbolic link';
	if (stats.isFIFO()) return 'a FIFO';
	if (stats.isSocket()) return 'a socket';
	if (stats.isCharacterDevice()) return 'a character device';
	if (stats.isBlockDevice()) return 'a block device';
	return 'not a regular file';
}

function notRegular(file: string, stats: Stats): UnsafeFileError {
	return new UnsafeFileError(file, `is ${kindOf(stats)}, not a regular file`);
}

const SYMLINK_REASON = 'is a symbolic link; zeek-tui does not follow links there';

/**
 * open(2) that refuses, as an UnsafeFileError, a final symlink (ELOOP under O_NOFOLLOW) and a FIFO
 * or socket that O_NONBLOCK made fail (ENXIO: a FIFO with no reader). Other errors pass through.
 */
function openRefusing(file: string, flags: number, mode?: number): number {
	try {
		return openSync(file, flags, mode);
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		if (code === 'ELOOP' && flags & O_NOFOLLOW) throw new UnsafeFileError(file, SYMLINK_REASON);
		if (code === 'ENXIO') {
			const stats = (flags & O_NOFOLLOW ? lstatSync : statSync)(file, {throwIfNoEntry: false});
			if (stats) throw notRegular(file, stats);
		}
		throw error;
	}
}

/** Opens like openRefusing and keeps the descriptor only when it is a regular file. */
function openRegular(file: string, flags: number, mode?: number): {fd: number; stats: Stats} {
	const fd = openRefusing(file, flags, mode);
	const stats = fstatSync(fd);
	if (stats.isFile()) return {fd, stats};
	closeSync(fd);
	throw notRegular(file, stats);
}

/**
 * Opens `file` for appending, creating it with `mode` (the umask applies), for a node's
 * stdout.log/stderr.log and zeek-tui.log. Refuses a symlink, a file with other hard links and
 * anything but a regular file, so a link planted in place of a log never gets root's writes and
 * a FIFO never blocks the open.
 */
export function openAppendNoFollow(file: string, mode = 0o644): number {
	const {fd, stats} = openRegular(
		file,
		O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_NONBLOCK,
		mode,
	);
	// A hard link is a link too: appending would write into a file that lives elsewhere.
	if (stats.nlink === 1) return fd;
	closeSync(fd);
	throw new UnsafeFileError(file, `has ${stats.nlink} hard links; zeek-tui does not append to it`);
}

/**
 * Writes `data` to a new file beside `file` (O_EXCL|O_NOFOLLOW, a random name) and renames it
 * over `file`: whatever was at `file` (a symlink included) is replaced, never written through,
 * and a reader sees the old content or the new, never half. The result has exactly `mode`.
 */
export function writeFileReplacing(file: string, data: string | Uint8Array, mode: number): void {
	const temp = path.join(
		path.dirname(file),
		`.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`,
	);
	const fd = openSync(temp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode);
	try {
		try {
			const bytes = typeof data === 'string' ? Buffer.from(data) : data;
			let written = 0;
			while (written < bytes.length) written += writeSync(fd, bytes, written);
			// The mode given to open() is cut by the umask; the documented mode is the file's.
			fchmodSync(fd, mode);
		} finally {
			closeSync(fd);
		}
		renameSync(temp, file);
	} catch (error) {
		try {
			unlinkSync(temp);
		} catch {
			// Renamed already, or never made.
		}
		throw error;
	}
}

export type ReadOptions = {
	/** Bigger is refused (UnsafeFileError): a read never runs away on /dev/zero or a 200 MB file. */
	maxBytes: number;
	/** Follow a final symlink (a file the operator named). Default false. */
	followLinks?: boolean;
};

/**
 * Reads a regular file of at most `maxBytes`, opened with O_NONBLOCK so that a FIFO in its place
 * never blocks, then checked with fstat. Missing files throw ENOENT as readFileSync does.
 */
export function readRegularFile(
	file: string,
	{maxBytes, followLinks = false}: ReadOptions,
): {data: Buffer; stats: Stats} {
	const {fd, stats} = openRegular(file, O_RDONLY | O_NONBLOCK | (followLinks ? 0 : O_NOFOLLOW));
	try {
		if (stats.size > maxBytes) throw tooLarge(file, maxBytes);
		// One byte more than allowed tells a file that grew past the limit since the fstat.
		const buffer = Buffer.allocUnsafe(Math.min(stats.size, maxBytes) + 1);
		let length = 0;
		for (;;) {
			const read = readSync(fd, buffer, length, buffer.length - length, length);
			if (read === 0) break;
			length += read;
			if (length > maxBytes) throw tooLarge(file, maxBytes);
			if (length === buffer.length) break;
		}
		return {data: buffer.subarray(0, length), stats};
	} finally {
		closeSync(fd);
	}
}

function tooLarge(file: string, maxBytes: number): UnsafeFileError {
	return new UnsafeFileError(file, `is larger than ${formatBytes(maxBytes)}`);
}

function formatBytes(bytes: number): string {
	if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
	if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
	return `${bytes} bytes`;
}

/**
 * Opens a file for reading without blocking (O_NONBLOCK: a FIFO opens at once) or following a
 * final link, and returns its descriptor only when it is a regular file; for readers that seek
 * and read in pieces (the log tail, the stderr tail of a crash report).
 */
export function openRegularForRead(file: string): number {
	return openRegular(file, O_RDONLY | O_NONBLOCK | O_NOFOLLOW).fd;
}

/** Opens a directory to fstat or fchmod it; a symlink (when not followed) or a file is refused. */
function openDirectory(dir: string, followLinks: boolean): number {
	try {
		return openSync(dir, O_RDONLY | O_DIRECTORY | (followLinks ? 0 : O_NOFOLLOW));
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		const stats = code === 'ELOOP' || code === 'ENOTDIR' ? lstatSync(dir) : undefined;
		if (stats?.isSymbolicLink() && !followLinks) throw new UnsafeFileError(dir, SYMLINK_REASON);
		if (stats) throw new UnsafeFileError(dir, `is ${kindOf(stats)}, not a directory`);
		throw error;
	}
}

/**
 * Why another user could change what is in `dir` (plant a symlink, swap a file), or undefined:
 * it is writable by group or others without the sticky bit, or owned by a user that is neither
 * zeek-tui's nor root. `dir` itself is opened with O_NOFOLLOW when `followLinks` is false.
 */
export function othersCanWrite(dir: string, {followLinks = true} = {}): string | undefined {
	const fd = openDirectory(dir, followLinks);
	let stats: Stats;
	try {
		stats = fstatSync(fd);
	} finally {
		closeSync(fd);
	}
	const self = process.geteuid?.() ?? stats.uid;
	if (stats.uid !== self && stats.uid !== 0) return `is owned by another user (uid ${stats.uid})`;
	const sticky = (stats.mode & 0o1000) !== 0;
	if (stats.mode & 0o022 && !sticky)
		return `is writable by ${stats.mode & 0o002 ? 'other users' : 'its group'} (mode ${(stats.mode & 0o7777).toString(8).padStart(4, '0')})`;
	return undefined;
}

/**
 * Makes sure `dir` is zeek-tui's private directory: a real directory (not a symlink), owned by
 * zeek-tui's user, mode exactly `mode` (fixed with fchmod on the opened directory, so no link
 * can redirect it). Throws an UnsafeFileError saying what is wrong otherwise.
 */
export function securePrivateDirectory(dir: string, mode = 0o700): void {
	const fd = openDirectory(dir, false);
	try {
		const stats = fstatSync(fd);
		const self = process.geteuid?.() ?? stats.uid;
		if (stats.uid !== self)
			throw new UnsafeFileError(
				dir,
				`is owned by another user (uid ${stats.uid}); remove it or give it to uid ${self}`,
			);
		if ((stats.mode & 0o7777) !== mode) fchmodSync(fd, mode);
	} finally {
		closeSync(fd);
	}
}

/**
 * A node's working directory, checked before anything is opened in it: it must be a directory
 * itself, not a symlink to one (mkdir -p follows a planted link; this does not).
 */
export function requireRealDirectory(dir: string): void {
	const stats = lstatSync(dir);
	if (stats.isSymbolicLink()) throw new UnsafeFileError(dir, SYMLINK_REASON);
	if (!stats.isDirectory()) throw new UnsafeFileError(dir, `is ${kindOf(stats)}, not a directory`);
}
