// Giving memory back after a burst of work: the real V8 call, and when it is made.
import {EventEmitter} from 'node:events';
import v8 from 'node:v8';
import {afterEach, describe, expect, test, vi} from 'vitest';
import type {NodeState} from '../source/cluster/types.js';
import {
	releaseMemory,
	releaseMemoryWhenClusterQuiet,
	releaseMemoryWhenQuiet,
	startAfterRelease,
} from '../source/release-memory.js';

const youngGenerationBytes = () =>
	v8.getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')!.space_size;

describe('releaseMemory', () => {
	test("shrinks V8's young generation after it grew", async () => {
		// Objects that survive scavenges make V8 grow the young generation, as start-up does.
		const grow = () => {
			const kept: Array<{index: number; text: string}> = [];
			for (let index = 0; index < 400_000; index++) kept.push({index, text: `node-${index}`});
			return kept.length;
		};
		expect(grow()).toBe(400_000);
		const grown = youngGenerationBytes();

		expect(await releaseMemory()).toBe(true);
		const after = youngGenerationBytes();
		expect(grown).toBeGreaterThanOrEqual(4 * 1024 * 1024);
		expect(after).toBeLessThan(grown / 2);
	});
});

describe('startAfterRelease', () => {
	test('the memory of loading is given back before the first node starts', async () => {
		const calls: string[] = [];
		await startAfterRelease(
			{
				async start() {
					calls.push('start');
				},
			},
			async () => {
				calls.push('release');
			},
		);
		expect(calls).toEqual(['release', 'start']);
	});
});

describe('releaseMemoryWhenQuiet', () => {
	afterEach(() => {
		vi.useRealTimers();
	});

	/** Fake timers, lifecycle events from an emitter, and a release that only counts. */
	const fakes = () => {
		vi.useFakeTimers();
		const events = new EventEmitter();
		const onEvent = (listener: () => void) => {
			events.on('event', listener);
			return () => events.off('event', listener);
		};
		return {events, onEvent, release: vi.fn(async () => undefined)};
	};

	const setup = () => {
		const {events, onEvent, release} = fakes();
		const quiet = releaseMemoryWhenQuiet(onEvent, {
			quietMs: 3000,
			minIntervalMs: 30_000,
			release,
			clock: () => Date.now(),
		});
		return {activity: () => events.emit('event'), release, quiet, events};
	};

	test('releases once a burst has been quiet for quietMs; the start counts as one', () => {
		const {activity, release, quiet} = setup();
		for (let step = 0; step < 5; step++) {
			vi.advanceTimersByTime(1000);
			activity();
		}
		expect(release).not.toHaveBeenCalled();
		vi.advanceTimersByTime(2999);
		expect(release).not.toHaveBeenCalled();
		vi.advanceTimersByTime(1);
		expect(release).toHaveBeenCalledTimes(1);
		vi.advanceTimersByTime(60_000);
		expect(release).toHaveBeenCalledTimes(1);
		quiet.stop();
	});

	test('a crash loop releases at most once per minIntervalMs', () => {
		const {activity, release, quiet} = setup();
		vi.advanceTimersByTime(3000);
		expect(release).toHaveBeenCalledTimes(1);
		// A burst every 4 s, each followed by a quiet 3 s: only the interval limits it.
		for (let burst = 0; burst < 15; burst++) {
			activity();
			vi.advanceTimersByTime(4000);
		}
		expect(release).toHaveBeenCalledTimes(2);
		vi.advanceTimersByTime(30_000);
		expect(release).toHaveBeenCalledTimes(3);
		quiet.stop();
	});

	test('stop cancels a pending release and unsubscribes', () => {
		const {activity, release, quiet, events} = setup();
		quiet.stop();
		expect(events.listenerCount('event')).toBe(0);
		activity();
		vi.advanceTimersByTime(10_000);
		expect(release).not.toHaveBeenCalled();
	});

	test('waits while a node is starting or stopping, however quiet, up to unsettledMaxMs', () => {
		const {events, onEvent, release} = fakes();
		const states: NodeState[] = ['running', 'starting', 'stopped'];
		const controller = {
			onEvent,
			snapshot: () => ({spoolDir: '/spool', nodes: states.map((state) => ({state}))}),
		};
		const quiet = releaseMemoryWhenClusterQuiet(
			controller as unknown as Parameters<typeof releaseMemoryWhenClusterQuiet>[0],
			{quietMs: 1000, unsettledMaxMs: 10_000, minIntervalMs: 30_000, release},
		);
		// A stage of the start waits for a node to report RUNNING: quiet, but not over.
		vi.advanceTimersByTime(5000);
		expect(release).not.toHaveBeenCalled();
		states[1] = 'running';
		events.emit('event');
		vi.advanceTimersByTime(999);
		expect(release).not.toHaveBeenCalled();
		vi.advanceTimersByTime(1);
		expect(release).toHaveBeenCalledTimes(1);

		// A stop that hangs: released anyway after 10 s without any event.
		vi.advanceTimersByTime(40_000);
		states[0] = 'stopping';
		events.emit('event');
		vi.advanceTimersByTime(9999);
		expect(release).toHaveBeenCalledTimes(1);
		vi.advanceTimersByTime(1001);
		expect(release).toHaveBeenCalledTimes(2);
		quiet.stop();
	});
});
