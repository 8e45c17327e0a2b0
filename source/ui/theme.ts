// Colours of the screen, and NO_COLOR. Chalk 5.6 (Ink's colouring) ignores NO_COLOR, so the
// views ask the theme for every colour and get none when colour is off; inverse and bold stay,
// since they are what marks the selection without colour.
import {createContext, useContext} from 'react';
import type {NodeState} from '../cluster/types.js';

export type Theme = {
	/** The colour to pass to Ink's `color`, or undefined when colour is off. */
	paint(color: string): string | undefined;
};

/** https://no-color.org: set and not empty means no colour. */
export function colorDisabledByEnv(env: NodeJS.ProcessEnv = process.env): boolean {
	return env.NO_COLOR !== undefined && env.NO_COLOR !== '';
}

export function createTheme(color: boolean): Theme {
	return {paint: (name) => (color ? name : undefined)};
}

export const ThemeContext = createContext<Theme>(createTheme(true));

export function useTheme(): Theme {
	return useContext(ThemeContext);
}

export const STATE_COLORS: Record<NodeState, string> = {
	running: 'green',
	starting: 'yellow',
	stopping: 'yellow',
	crashed: 'red',
	backoff: 'magenta',
	stopped: 'gray',
};

/** Drops over the threshold, a lagging worker (packet-health.ts). */
export const ALERT_COLOR = 'red';
