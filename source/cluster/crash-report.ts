// A crash report: what an operator needs after an incident, kept in the spool beside the node's
// own files (`<spool>/.zeek-tui/crashes/<node>-<time>.txt`), the newest CRASH_REPORTS_KEPT per node.
import {closeSync, fstatSync, mkdirSync, readdirSync, readSync, unlinkSync} from 'node:fs';
import path from 'node:path';
import type {ProcessExit} from './node-state.js';
import {openRegularForRead, writeFileReplacing} from './safe-files.js';
import type {CrashReportFile} from './types.js';

export const CRASH_TAIL_LINES = 50;
// Enough for 50 long lines; a crash never reads a whole multi-gigabyte stderr.log.
const TAIL_BYTES = 256 * 1024;
/**
 * Reports kept per node, the oldest removed as a new one is written (a node failing every 60 s
 * left 1,440 a day); every crash also stays a line in zeek-tui.log.
 */
export const CRASH_REPORTS_KEPT = 20;

export type CrashReport = {
	node: string;
	/** Epoch ms of the exit. */
	at: number;
	exit: ProcessExit;
	pid?: number;
	/** Epoch ms the process had started. */
	startedAt?: number;
	/** The process was adopted from an earlier zeek-tui: its exit status cannot be known. */
	adopted: boolean;
	argv: readonly string[];
	cwd: string;
	stderrLog: string;
};

/**
 * Writes the report into `dir` (0600, by temp file and rename: never through a planted link),
 * removes that node's reports beyond the newest `keep`, and returns its path.
 */
export function writeCrashReport(
	dir: string,
	report: CrashReport,
	keep = CRASH_REPORTS_KEPT,
): string {
	mkdirSync(dir, {recursive: true, mode: 0o700});
	const file = path.join(dir, crashReportName(report.node, report.at));
	const tail = tailLines(report.stderrLog, CRASH_TAIL_LINES);
	const lines = [
		`node: ${report.node}`,
		`time: ${new Date(report.at).toISOString()}`,
		`exit: ${describeExit(report.exit, report.adopted)}`,
		`pid: ${report.pid ?? '-'}`,
		`uptime: ${report.startedAt === undefined ? '-' : `${((report.at - report.startedAt) / 1000).toFixed(1)}s`}`,
		`cwd: ${report.cwd}`,
		`argv: ${JSON.stringify(report.argv)}`,
		'',
		`--- last ${CRASH_TAIL_LINES} lines of ${report.stderrLog} ---`,
		...tail,
		'',
	];
	writeFileReplacing(file, lines.join('\n'), 0o600);
	pruneCrashReports(dir, report.node, keep);
	return file;
}

/** Removes all but the newest `keep` reports of `node`; a file that cannot go stays. */
export function pruneCrashReports(dir: string, node: string, keep: number): void {
	for (const old of listCrashReports(dir, node).slice(Math.max(1, keep))) {
		try {
			unlinkSync(old.file);
		} catch {
			// Removed meanwhile, or not ours to remove: the next crash tries again.
		}
	}
}

export function describeExit(exit: ProcessExit, adopted = false): string {
	if (exit.signal !== null) return `signal ${exit.signal}`;
	if (exit.code !== null) return `code ${exit.code}`;
	if (exit.error !== undefined) return `failed: ${exit.error}`;
	return adopted ? 'unknown (adopted from an earlier zeek-tui, not our child)' : 'unknown';
}

/** The last `count` lines of a file, reading at most its last TAIL_BYTES; [] when it is missing. */
export function tailLines(file: string, count: number): string[] {
	let fd: number;
	try {
		// A FIFO or a device in place of stderr.log must not block the supervisor or run on forever.
		fd = openRegularForRead(file);
	} catch {
		return [];
	}
	try {
		const size = fstatSync(fd).size;
		const length = Math.min(size, TAIL_BYTES);
		const buffer = Buffer.alloc(length);
		readSync(fd, buffer, 0, length, size - length);
		const lines = buffer.toString('utf8').split('\n');
		if (lines.at(-1) === '') lines.pop();
		// A read that starts mid-file starts mid-line: drop that fragment.
		if (length < size) lines.shift();
		return lines.slice(-count);
	} finally {
		closeSync(fd);
	}
}

/** The most of one crash report read for the screen: its head (exit, argv) and a stderr tail. */
export const CRASH_REPORT_MAX_BYTES = 64 * 1024;

/**
 * `<node>-<ISO time with : as ->.txt`. The time has a fixed shape, so the node name is whatever
 * precedes it, dashes and all (worker-1 vs worker-1-b).
 */
export function crashReportName(node: string, at: number): string {
	return `${node}-${new Date(at).toISOString().replaceAll(':', '-')}.txt`;
}

const CRASH_FILE_NAME = /^(.+)-(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2}\.\d{3}Z)\.txt$/;

/** The crash reports of `node` in `dir`, newest first, at most `limit`, each cut to `maxBytes`. */
export function readCrashReports(
	dir: string,
	node: string,
	limit: number,
	maxBytes = CRASH_REPORT_MAX_BYTES,
): CrashReportFile[] {
	return listCrashReports(dir, node)
		.slice(0, Math.max(0, limit))
		.flatMap((report) => {
			const text = readHead(report.file, maxBytes);
			return text === undefined ? [] : [{...report, text}];
		});
}

/** The report files of `node` in `dir`, newest first. */
function listCrashReports(dir: string, node: string): {file: string; at: number}[] {
	let names: string[];
	try {
		names = readdirSync(dir);
	} catch {
		// No crash yet: the directory is made by the first report.
		return [];
	}
	const found = names.flatMap((name) => {
		const match = CRASH_FILE_NAME.exec(name);
		if (!match || match[1] !== node) return [];
		const at = Date.parse(`${match[2]}T${match[3]}:${match[4]}:${match[5]}`);
		return Number.isNaN(at) ? [] : [{file: path.join(dir, name), at}];
	});
	found.sort((a, b) => b.at - a.at || b.file.localeCompare(a.file));
	return found;
}

/** The first `maxBytes` of a file (cut back to a whole line), or undefined when it is gone. */
function readHead(file: string, maxBytes: number): string | undefined {
	let fd: number;
	try {
		fd = openRegularForRead(file);
	} catch {
		return undefined;
	}
	try {
		const buffer = Buffer.alloc(maxBytes + 1);
		const length = readSync(fd, buffer, 0, buffer.length, 0);
		if (length <= maxBytes) return buffer.toString('utf8', 0, length);
		const cut = buffer.lastIndexOf(0x0a, maxBytes - 1);
		return `${buffer.toString('utf8', 0, cut > 0 ? cut + 1 : maxBytes)}[… cut at ${maxBytes} bytes]\n`;
	} finally {
		closeSync(fd);
	}
}
