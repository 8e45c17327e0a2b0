// One node's process: its working directory, its log files, the spawn, the signals, and what
// /proc says about a pid (start time, cwd, liveness). Nothing here decides what to do.
import {closeSync, mkdirSync, readFileSync, readlinkSync} from 'node:fs';
import path from 'node:path';
import {execa, type Options, type Result, type StdoutStderrOption} from 'execa';
import {withTaskset} from './affinity.js';
import type {ProcessExit} from './node-state.js';
import {
	openAppendNoFollow,
	othersCanWrite,
	readRegularFile,
	requireRealDirectory,
	writeFileReplacing,
} from './safe-files.js';
import type {NodePlan} from './types.js';

export const STDOUT_LOG = 'stdout.log';
export const STDERR_LOG = 'stderr.log';
export const LAYOUT_FILE = 'cluster-layout.zeek';
/** A layout is kilobytes; the spool's copy is refused beyond this rather than read on and on. */
export const LAYOUT_MAX_BYTES = 1024 * 1024;

export type SpawnedProcess = {
	/** Undefined when the process could not be created (a missing binary, an unwritable cwd). */
	pid?: number;
	/** Field 22 of /proc/PID/stat, the identity token stored with the pid. */
	startTime?: number;
	/** Epoch ms. */
	startedAt: number;
	/** Settles when the process is gone; never rejects. */
	exit: Promise<ProcessExit>;
	/** Lets zeek-tui exit while the process keeps running (detach). */
	unref(): void;
};

export type NodeLogs = {stdoutFd: number; stderrFd: number};

/** execa hands any open descriptor to the process as it is; its types name only 1 to 9. */
const descriptor = (fd: number) => fd as StdoutStderrOption;

/** What execa's settled result says about the end of a process (reject: false: it never throws). */
function toProcessExit(result: Result, spawned: boolean): ProcessExit {
	if (!spawned) {
		// A binary that is missing or not executable: no pid, and the spawn's own message.
		const cause = result.cause instanceof Error ? result.cause.message : result.shortMessage;
		return {code: null, signal: null, error: cause ?? 'could not start'};
	}
	return {code: result.exitCode ?? null, signal: result.signal ?? null};
}

/**
 * Readies a node's working directory for a spawn: mkdir -p (never wiped), a directory itself and
 * not a planted link to one, the spool's layout copied in by replacing (a symlink in its place is
 * replaced, never written through), and stdout.log/stderr.log opened for append without
 * following links. A log that is a symlink, a FIFO or a device is refused before the node starts:
 * an UnsafeFileError naming it. The caller closes both descriptors once the child holds copies.
 */
export function prepareNodeDirectory(plan: NodePlan, spoolDir: string): NodeLogs {
	mkdirSync(plan.cwd, {recursive: true, mode: 0o755});
	requireRealDirectory(plan.cwd);
	const layout = readRegularFile(path.join(spoolDir, LAYOUT_FILE), {maxBytes: LAYOUT_MAX_BYTES});
	writeFileReplacing(path.join(plan.cwd, LAYOUT_FILE), layout.data, 0o644);
	const stdoutFd = openAppendNoFollow(path.join(plan.cwd, STDOUT_LOG));
	try {
		return {stdoutFd, stderrFd: openAppendNoFollow(path.join(plan.cwd, STDERR_LOG))};
	} catch (error) {
		closeSync(stdoutFd);
		throw error;
	}
}

/**
 * Why the node's directory is unsafe for zeek itself, or undefined: another user can write it,
 * so zeek (often root) may write its logs through links planted there. zeek-tui's own writes
 * there never follow links; a directory not made yet is made 0755.
 */
export function nodeDirectoryWarning(plan: NodePlan): string | undefined {
	let reason: string | undefined;
	try {
		reason = othersCanWrite(plan.cwd, {followLinks: false});
	} catch {
		// Missing (made at the spawn), or not a directory: the spawn says so.
		return undefined;
	}
	return reason === undefined
		? undefined
		: `${plan.cwd} ${reason}: zeek writes its logs there, make it writable by its owner only`;
}

/**
 * Starts one node: prepareNodeDirectory, hand the log descriptors to the process, then run
 * `[taskset -c CPUS] zeek ...` in its own session and process group, so a terminal's Ctrl-C or
 * hangup never reaches it and it never blocks on a pipe to zeek-tui.
 */
export function spawnNode(
	plan: NodePlan,
	spoolDir: string,
	pin: readonly number[] | undefined,
): SpawnedProcess {
	const startedAt = Date.now();
	const [file, ...args] = withTaskset(plan.argv, pin);
	let logs: {stdout: number; stderr: number} | undefined;
	try {
		const {stdoutFd, stderrFd} = prepareNodeDirectory(plan, spoolDir);
		logs = {stdout: stdoutFd, stderr: stderrFd};
		// Descriptors, not execa's {file} targets: those are written through a stream in zeek-tui,
		// and a node's output must never pass through (or wait on) zeek-tui.
		const options = {
			cwd: plan.cwd,
			env: plan.env,
			stdin: 'ignore',
			stdout: descriptor(logs.stdout),
			stderr: descriptor(logs.stderr),
			detached: true,
			buffer: false,
			cleanup: false,
			reject: false,
		} satisfies Options;
		const child = execa(file!, args, options);
		const pid = child.pid;
		const exit = child.then(
			(result) => toProcessExit(result, pid !== undefined),
			// reject: false settles every failure as a result; this only keeps the promise's word.
			(error: unknown) => ({code: null, signal: null, error: String(error)}),
		);
		return {
			pid,
			startTime: pid === undefined ? undefined : readStartTime(pid),
			startedAt,
			exit,
			unref: () => child.unref(),
		};
	} catch (error) {
		const message = error instanceof Error ? error.message : String(error);
		return {
			startedAt,
			exit: Promise.resolve({code: null, signal: null, error: message}),
			unref() {},
		};
	} finally {
		// The child has its own copies of the descriptors once execa has returned.
		if (logs) {
			closeSync(logs.stdout);
			closeSync(logs.stderr);
		}
	}
}

/**
 * Signals the node's whole process group (zeek and anything it started). A process that is not a
 * group leader (not one we spawned) gets the signal alone. False when it is already gone.
 */
export function signalNode(pid: number, signal: NodeJS.Signals): boolean {
	const stat = readStat(pid);
	const target = stat?.pgrp === pid ? -pid : pid;
	try {
		process.kill(target, signal);
		return true;
	} catch {
		return false;
	}
}

type ProcStat = {state: string; ppid: number; pgrp: number; session: number; startTime: number};

/** The fields of /proc/PID/stat we use, or undefined when there is no such process. */
export function readStat(pid: number): ProcStat | undefined {
	let text: string;
	try {
		text = readFileSync(`/proc/${pid}/stat`, 'utf8');
	} catch {
		return undefined;
	}
	// The command name (field 2) may contain spaces and parentheses: split after the last ')'.
	const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
	// fields[0] is field 3 (state); field N is fields[N - 3].
	return {
		state: fields[0]!,
		ppid: Number(fields[1]),
		pgrp: Number(fields[2]),
		session: Number(fields[3]),
		startTime: Number(fields[19]),
	};
}

export function readStartTime(pid: number): number | undefined {
	return readStat(pid)?.startTime;
}

/** True while `pid` is the same process (same start time) and not a zombie. */
export function isAlive(pid: number, startTime: number | undefined): boolean {
	const stat = readStat(pid);
	if (!stat || stat.state === 'Z' || stat.state === 'X') return false;
	return startTime === undefined || stat.startTime === startTime;
}

export function readCwd(pid: number): string | undefined {
	try {
		return readlinkSync(`/proc/${pid}/cwd`);
	} catch {
		return undefined;
	}
}

// Linux reports start times in USER_HZ, which is 100 on every architecture it runs on.
const CLOCK_TICKS_PER_SECOND = 100;

/** Epoch ms of a /proc start time (boot time is known to the second only: good for uptime). */
export function startTimeToEpochMs(startTime: number): number {
	const btime = /^btime\s+(\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'));
	const bootMs = btime ? Number(btime[1]) * 1000 : 0;
	return bootMs + (startTime * 1000) / CLOCK_TICKS_PER_SECOND;
}

/**
 * Where zeek writes its processing status, if the command line asks it to (`-U FILE`,
 * `--status-file FILE`); relative to the node's cwd. Zeek writes none without the option.
 */
export function statusFilePath(plan: NodePlan): string | undefined {
	const argv = plan.argv;
	for (let index = 1; index < argv.length; index++) {
		const arg = argv[index]!;
		let value: string | undefined;
		if (arg === '-U' || arg === '--status-file') value = argv[index + 1];
		else if (arg.startsWith('--status-file=')) value = arg.slice('--status-file='.length);
		else if (/^-U./.test(arg)) value = arg.slice(2);
		if (value !== undefined) return path.resolve(plan.cwd, value);
	}
	return undefined;
}

// The file's mtime comes from the kernel's coarse clock, a few ms behind Date.now().
const MTIME_SLACK_MS = 100;
/** Zeek writes one word and a reason; anything longer is not a status file. */
const STATUS_MAX_BYTES = 4096;

/**
 * A zeek that writes no status file (a build or stand-in that ignores `-U`) is judged by its
 * process alone once it has lived this long; real zeek writes INITIALIZING within milliseconds.
 */
export const STATUS_GRACE_MS = 2000;

/**
 * Whether the node started at `startedAt` counts as running (DESIGN §3: the process lives and,
 * where `.status` exists, it says RUNNING). A file older than the process is what an earlier
 * process left behind, not this one's word, and counts as no file.
 */
export function statusSaysRunning(file: string, startedAt: number, now = Date.now()): boolean {
	let status: ReturnType<typeof readRegularFile> | undefined;
	try {
		// O_NONBLOCK and fstat: a FIFO a node made in its place must not block the supervisor. A
		// link is followed: `-U` may name any file, and reading one tells nothing but RUNNING.
		status = readRegularFile(file, {maxBytes: STATUS_MAX_BYTES, followLinks: true});
	} catch {
		status = undefined;
	}
	if (status === undefined || status.stats.mtimeMs < startedAt - MTIME_SLACK_MS)
		return now - startedAt >= STATUS_GRACE_MS;
	return /^RUNNING\b/.test(status.data.toString('utf8'));
}
