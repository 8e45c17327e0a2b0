// The last samples of each node's CPU, memory and packet rate, as plain data for sparklines.
// Pure: every change returns new arrays, so a snapshot that holds the old ones never changes and
// the views can tell a new history from an old one by identity.
import type {NodeHistory, ResourceUsage} from '../cluster/types.js';

/** Two minutes of samples at the sampler's default interval (2 s). */
export const HISTORY_LENGTH = 60;

export const EMPTY_HISTORY: NodeHistory = {cpu: [], memory: [], packetsPerSecond: []};

/** `series` with `value` appended, keeping only the newest `limit` values. */
export function appendBounded(
	series: readonly number[],
	value: number,
	limit = HISTORY_LENGTH,
): number[] {
	if (limit <= 0) return [];
	const kept = series.length >= limit ? series.slice(series.length - limit + 1) : series;
	return [...kept, value];
}

/** A CPU and memory sample appended; a sample without a CPU figure adds memory only. */
export function recordUsage(
	history: NodeHistory,
	usage: ResourceUsage,
	limit = HISTORY_LENGTH,
): NodeHistory {
	return {
		...history,
		cpu: usage.cpu === undefined ? history.cpu : appendBounded(history.cpu, usage.cpu, limit),
		memory: appendBounded(history.memory, usage.memory, limit),
	};
}

/** A packet rate appended. */
export function recordPacketRate(
	history: NodeHistory,
	packetsPerSecond: number,
	limit = HISTORY_LENGTH,
): NodeHistory {
	return {
		...history,
		packetsPerSecond: appendBounded(history.packetsPerSecond, packetsPerSecond, limit),
	};
}
