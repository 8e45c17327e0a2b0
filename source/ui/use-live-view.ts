// Connects the App to a live painter (live-painter.ts): reports what each commit drew, and draws
// frames on request or, for views the painter does not cover, once per interval.
import {useEffect, useLayoutEffect, useReducer} from 'react';
import type {LivePainter, LiveView} from './live-painter.js';

/** A function that makes the App draw a new frame. */
export function useFrameRequest(): () => void {
	const [, requestFrame] = useReducer((count: number) => count + 1, 0);
	return requestFrame;
}

export function useLiveView(
	live: LivePainter | undefined,
	view: LiveView | undefined,
	requestFrame: () => void,
): void {
	// A layout effect runs within the commit, before the painter repaints over Ink's frame.
	useLayoutEffect(() => {
		live?.show(view, requestFrame);
	});
	useEffect(() => () => live?.show(undefined, requestFrame), [live, requestFrame]);
}

/** A frame every `intervalMs` while `active`. */
export function useFrameEvery(active: boolean, intervalMs: number, requestFrame: () => void): void {
	useEffect(() => {
		if (!active) return;
		const timer = setInterval(requestFrame, intervalMs);
		return () => clearInterval(timer);
	}, [active, intervalMs, requestFrame]);
}
