// The bounded history of samples: pure functions, no processes.
import {describe, expect, test} from 'vitest';
import {
	appendBounded,
	EMPTY_HISTORY,
	HISTORY_LENGTH,
	recordPacketRate,
	recordUsage,
} from '../source/metrics/history.js';

describe('appendBounded', () => {
	test('appends until the limit, then drops the oldest', () => {
		let series: number[] = [];
		for (let value = 1; value <= 5; value++) series = appendBounded(series, value, 3);
		expect(series).toEqual([3, 4, 5]);
		expect(appendBounded([1], 2, 3)).toEqual([1, 2]);
	});

	test('keeps 60 by default, and never changes the array it was given', () => {
		let series: number[] = [];
		const seen: number[][] = [];
		for (let value = 0; value < 100; value++) {
			seen.push(series);
			series = appendBounded(series, value);
		}
		expect(HISTORY_LENGTH).toBe(60);
		expect(series).toHaveLength(60);
		expect(series[0]).toBe(40);
		expect(series.at(-1)).toBe(99);
		// Each earlier array still holds what it held: snapshots that share them stay true.
		expect(seen[10]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
		expect(seen[60]).toHaveLength(60);
		expect(seen[60]![0]).toBe(0);
	});

	test('a series longer than the limit (the limit went down) is cut to it', () => {
		expect(appendBounded([1, 2, 3, 4, 5], 6, 2)).toEqual([5, 6]);
		expect(appendBounded([1, 2], 3, 0)).toEqual([]);
	});
});

describe('recordUsage and recordPacketRate', () => {
	test('each adds to its own series only', () => {
		let history = recordUsage(EMPTY_HISTORY, {cpu: 12.5, memory: 1024});
		history = recordUsage(history, {cpu: 50, memory: 2048});
		history = recordPacketRate(history, 1000);
		expect(history).toEqual({cpu: [12.5, 50], memory: [1024, 2048], packetsPerSecond: [1000]});
		expect(EMPTY_HISTORY).toEqual({cpu: [], memory: [], packetsPerSecond: []});
	});

	test("a sample without a CPU figure (a process's first) adds memory only", () => {
		const history = recordUsage(EMPTY_HISTORY, {memory: 1024});
		expect(history).toEqual({cpu: [], memory: [1024], packetsPerSecond: []});
	});

	test('respect the limit', () => {
		let history = EMPTY_HISTORY;
		for (let index = 0; index < 5; index++) {
			history = recordUsage(history, {cpu: index, memory: index * 10}, 2);
			history = recordPacketRate(history, index * 100, 3);
		}
		expect(history).toEqual({cpu: [3, 4], memory: [30, 40], packetsPerSecond: [200, 300, 400]});
	});
});
