// A crash report: what an operator needs after an incident, kept in the spool beside the node's
// own files (`<spool>/.zeek-tui/crashes/<node>-<time>.txt`).
import {closeSync, fstatSync, mkdirSync, openSync, readSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import type {ProcessExit} from './node-state.js';

export const CRASH_TAIL_LINES = 50;
// Enough for 50 long lines; a crash never reads a whole multi-gigabyte stderr.log.
const TAIL_BYTES = 256 * 1024;

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

/** Writes the report into `dir` and returns its path. */
export function writeCrashReport(dir: string, report: CrashReport): string {
	mkdirSync(dir, {recursive: true});
	const stamp = new Date(report.at).toISOString().replaceAll(':', '-');
	const file = path.join(dir, `${report.node}-${stamp}.txt`);
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
	writeFileSync(file, lines.join('\n'), {flag: 'a'});
	return file;
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
		fd = openSync(file, 'r');
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
