// Reads a subscribable source into React state, re-rendering at most once per interval.
import {useEffect, useRef, useState} from 'react';
import {createThrottle} from './throttle.js';

export type Subscribable = {subscribe(listener: () => void): () => void};

/** About four renders a second: live enough for a log pane, cheap for Ink (DESIGN §5). */
export const RENDER_INTERVAL_MS = 250;

/**
 * Without the live painter (component tests), the table's data changes every 2 s (CPU samples)
 * and every 15 s (metrics), the uptimes every second: one frame a
 * second shows all of it. Keys still answer at once: they change the screen state, not this.
 */
export const SNAPSHOT_INTERVAL_MS = 1000;

/**
 * `read(source)` now and after changes, throttled. While `paused`, changes are not read (a log
 * pane scrolled back keeps the lines it shows); they are read again on resume. With `heartbeat`,
 * the source is read once per interval even without a change, in the same throttle as the
 * changes: a screen that counts seconds (uptimes) then draws one frame a second, not one for the
 * clock and another for the data.
 */
export function useThrottledSource<S extends Subscribable, T>(
	source: S,
	read: (source: S) => T,
	options: {intervalMs?: number; paused?: boolean; heartbeat?: boolean} = {},
): T {
	const {intervalMs = RENDER_INTERVAL_MS, paused = false, heartbeat = false} = options;
	// Wrapped, so that a heartbeat re-renders even when the source returns the same value.
	const [state, setState] = useState(() => ({value: read(source)}));
	const readRef = useRef(read);
	readRef.current = read;

	useEffect(() => {
		if (paused) return;
		const throttle = createThrottle(() => setState({value: readRef.current(source)}), intervalMs);
		const unsubscribe = source.subscribe(throttle.schedule);
		let beat: NodeJS.Timeout | undefined;
		const beatAgain = () => {
			throttle.schedule();
			beat = setTimeout(beatAgain, intervalMs);
		};
		if (heartbeat) beat = setTimeout(beatAgain, intervalMs);
		// Whatever changed between the render and the subscription (or while paused).
		setState((previous) => {
			const value = readRef.current(source);
			return Object.is(value, previous.value) ? previous : {value};
		});
		return () => {
			unsubscribe();
			throttle.cancel();
			clearTimeout(beat);
		};
	}, [source, intervalMs, paused, heartbeat]);

	return state.value;
}
