// The screen's own state (what is selected, filtered, focused, open) as a pure reducer, and the
// hook that holds it. Nothing here knows about the terminal or the cluster's processes.
import {useEffect, useState, useSyncExternalStore} from 'react';
import type {NodeType} from '../cluster/types.js';
import {scrollToShow} from './layout.js';

export type NodeRef = {name: string; type: NodeType};

export type PaneState = {
	node: string;
	/** Lines scrolled back from the tail; 0 follows the tail. */
	scroll: number;
};

export type AffinityDialog = {
	kind: 'affinity';
	node: string;
	/** This machine's online CPUs, the boxes on offer. */
	online: number[];
	ticked: number[];
	/** Index into `online`. */
	cursor: number;
	/** The pin is being applied. */
	busy: boolean;
	error?: string;
};

/** One node's details over the whole body (`i`). */
export type DetailDialog = {
	kind: 'detail';
	node: string;
	/** First line of the details drawn. */
	scroll: number;
};

export type Dialog =
	| {kind: 'help'}
	| DetailDialog
	| {kind: 'confirm'; question: 'quit' | 'restart-all'}
	| AffinityDialog
	/**
	 * Quit was confirmed: the cluster is stopping; only Ctrl-C does something (kills what is left,
	 * `killing`).
	 */
	| {kind: 'quitting'; killing: boolean};

export type Message = {text: string; tone: 'info' | 'error'};

export type ScreenState = {
	/** Snapshot order. */
	nodes: NodeRef[];
	/** By name, so that filtering and new snapshots keep it. */
	selected?: string;
	filter: string;
	/** The filter line has the keyboard. */
	filtering: boolean;
	/** Undefined: the table has focus. */
	focusedPane?: string;
	/** In table order. */
	panes: PaneState[];
	/** First table row drawn. */
	tableScroll: number;
	dialog?: Dialog;
	message?: Message;
};

export type ScreenAction =
	| {type: 'nodes'; nodes: NodeRef[]}
	/** `by` rows (Infinity: to the end); `viewport` is how many rows the table shows now. */
	| {type: 'move'; by: number; viewport: number}
	| {type: 'toggle-pane'; node: string; maxPanes: number}
	| {type: 'focus-next'}
	| {type: 'scroll-pane'; node: string; by: number; maxScroll: number}
	| {type: 'follow'; node: string}
	| {type: 'filter-start'}
	| {type: 'filter-type'; text: string}
	| {type: 'filter-backspace'}
	| {type: 'filter-keep'}
	| {type: 'filter-clear'}
	| {type: 'open-dialog'; dialog: Dialog}
	| {type: 'close-dialog'}
	| {type: 'affinity-move'; by: number}
	| {type: 'affinity-toggle'}
	| {type: 'affinity-applying'}
	| {type: 'affinity-failed'; error: string}
	/** `maxScroll`: the details' last line is then at the bottom of the view. */
	| {type: 'detail-scroll'; by: number; maxScroll: number}
	| {type: 'message'; message: Message}
	| {type: 'clear-message'};

export function initialScreenState(nodes: NodeRef[]): ScreenState {
	return {nodes, selected: nodes[0]?.name, filter: '', filtering: false, panes: [], tableScroll: 0};
}

export function matchesFilter(node: NodeRef, filter: string): boolean {
	const needle = filter.toLowerCase();
	return node.name.toLowerCase().includes(needle) || node.type.includes(needle);
}

/** The table's rows: every node that matches the filter, in snapshot order. */
export function visibleNodes(state: ScreenState): NodeRef[] {
	return state.filter === ''
		? state.nodes
		: state.nodes.filter((node) => matchesFilter(node, state.filter));
}

/** Index of the selected node among the visible ones, or -1. */
export function selectedIndex(state: ScreenState): number {
	return visibleNodes(state).findIndex((node) => node.name === state.selected);
}

/** Keeps the selection on a visible node: the filter or a new node list may have hidden it. */
function withValidSelection(state: ScreenState): ScreenState {
	const visible = visibleNodes(state);
	if (visible.some((node) => node.name === state.selected)) return state;
	return {...state, selected: visible[0]?.name, tableScroll: 0};
}

const orderByNodes = (panes: PaneState[], nodes: NodeRef[]): PaneState[] =>
	nodes.flatMap((node) => panes.filter((pane) => pane.node === node.name));

function updateAffinity(state: ScreenState, update: (dialog: AffinityDialog) => AffinityDialog) {
	return state.dialog?.kind === 'affinity' ? {...state, dialog: update(state.dialog)} : state;
}

export function screenReducer(state: ScreenState, action: ScreenAction): ScreenState {
	switch (action.type) {
		case 'nodes': {
			const names = new Set(action.nodes.map((node) => node.name));
			const panes = orderByNodes(
				state.panes.filter((pane) => names.has(pane.node)),
				action.nodes,
			);
			const focusedPane = panes.some((pane) => pane.node === state.focusedPane)
				? state.focusedPane
				: undefined;
			return withValidSelection({...state, nodes: action.nodes, panes, focusedPane});
		}

		case 'move': {
			const visible = visibleNodes(state);
			if (visible.length === 0) return state;
			const from = Math.max(0, selectedIndex(state));
			const to = Math.max(0, Math.min(visible.length - 1, from + action.by));
			return {
				...state,
				selected: visible[to]!.name,
				tableScroll: scrollToShow(state.tableScroll, to, action.viewport, visible.length),
			};
		}

		case 'toggle-pane': {
			if (state.panes.some((pane) => pane.node === action.node)) {
				return {
					...state,
					panes: state.panes.filter((pane) => pane.node !== action.node),
					focusedPane: state.focusedPane === action.node ? undefined : state.focusedPane,
				};
			}
			if (state.panes.length >= action.maxPanes) {
				return {
					...state,
					message: {
						text: 'No room for another log pane: close one first (Enter on its node)',
						tone: 'error',
					},
				};
			}
			const panes = orderByNodes([...state.panes, {node: action.node, scroll: 0}], state.nodes);
			return {...state, panes};
		}

		case 'focus-next': {
			// Table, then each pane in screen order, then the table again.
			const order = [undefined, ...state.panes.map((pane) => pane.node)];
			const next = order[(order.indexOf(state.focusedPane) + 1) % order.length];
			return {...state, focusedPane: next};
		}

		case 'scroll-pane':
			return {
				...state,
				panes: state.panes.map((pane) =>
					pane.node === action.node
						? {...pane, scroll: Math.max(0, Math.min(action.maxScroll, pane.scroll + action.by))}
						: pane,
				),
			};

		case 'follow':
			return {
				...state,
				panes: state.panes.map((pane) => (pane.node === action.node ? {...pane, scroll: 0} : pane)),
			};

		case 'filter-start':
			return {...state, filtering: true};

		case 'filter-type':
			return withValidSelection({...state, filter: state.filter + action.text});

		case 'filter-backspace':
			return withValidSelection({...state, filter: [...state.filter].slice(0, -1).join('')});

		case 'filter-keep':
			return {...state, filtering: false};

		case 'filter-clear':
			return withValidSelection({...state, filter: '', filtering: false});

		case 'open-dialog':
			return {...state, dialog: action.dialog};

		case 'close-dialog':
			return {...state, dialog: undefined};

		case 'affinity-move':
			return updateAffinity(state, (dialog) => {
				const count = dialog.online.length;
				const cursor = Math.max(0, Math.min(count - 1, dialog.cursor + action.by));
				return {...dialog, cursor};
			});

		case 'affinity-toggle':
			return updateAffinity(state, (dialog) => {
				const cpu = dialog.online[dialog.cursor];
				if (cpu === undefined) return dialog;
				const ticked = dialog.ticked.includes(cpu)
					? dialog.ticked.filter((other) => other !== cpu)
					: [...dialog.ticked, cpu].sort((a, b) => a - b);
				return {...dialog, ticked, error: undefined};
			});

		case 'affinity-applying':
			return updateAffinity(state, (dialog) => ({...dialog, busy: true, error: undefined}));

		case 'affinity-failed':
			return updateAffinity(state, (dialog) => ({...dialog, busy: false, error: action.error}));

		case 'detail-scroll': {
			const dialog = state.dialog;
			if (dialog?.kind !== 'detail') return state;
			const scroll = Math.max(0, Math.min(action.maxScroll, dialog.scroll + action.by));
			return scroll === dialog.scroll ? state : {...state, dialog: {...dialog, scroll}};
		}

		case 'message':
			return {...state, message: action.message};

		case 'clear-message':
			return state.message ? {...state, message: undefined} : state;
	}
}

/** The reducer's state outside React, so key handlers read the state their last action made. */
export type ScreenStore = {
	get(): ScreenState;
	dispatch(action: ScreenAction): void;
	subscribe(listener: () => void): () => void;
};

export function createScreenStore(initial: ScreenState): ScreenStore {
	let state = initial;
	const listeners = new Set<() => void>();
	return {
		get: () => state,
		dispatch(action) {
			const next = screenReducer(state, action);
			if (next === state) return;
			state = next;
			for (const listener of listeners) listener();
		},
		subscribe(listener) {
			listeners.add(listener);
			return () => listeners.delete(listener);
		},
	};
}

/**
 * Screen state for the given node list. Keys arriving in one burst (a paste, key repeat) are
 * handled before React re-renders, so handlers must read `store.get()`, not a rendered copy.
 */
export function useScreenState(nodes: NodeRef[]): {state: ScreenState; store: ScreenStore} {
	const [store] = useState(() => createScreenStore(initialScreenState(nodes)));
	const state = useSyncExternalStore(store.subscribe, store.get);
	const nodesKey = nodes.map((node) => `${node.name}:${node.type}`).join(' ');
	useEffect(() => {
		store.dispatch({type: 'nodes', nodes});
		// The list is compared by its key: a new snapshot with the same nodes changes nothing.
		// eslint-disable-next-line react-hooks/exhaustive-deps
	}, [store, nodesKey]);
	return {state, store};
}

/** How long an info message stays; errors stay until the next key. */
export const INFO_MESSAGE_MS = 5000;

/** Clears an info message after a while, unless another one replaced it meanwhile. */
export function useMessageExpiry(store: ScreenStore, message: Message | undefined): void {
	useEffect(() => {
		if (message?.tone !== 'info') return;
		const timer = setTimeout(() => {
			if (store.get().message === message) store.dispatch({type: 'clear-message'});
		}, INFO_MESSAGE_MS);
		return () => clearTimeout(timer);
	}, [store, message]);
}
