// Keys -> screen actions and cluster commands. `interpretKey` decides (pure); `useKeys` carries
// the decision out against the store and the ClusterClient.
import {useCallback, useEffect, useRef} from 'react';
import {useApp, useInput, type Key} from 'ink';
import type {ClusterClient, NodeState} from '../cluster/types.js';
import {formatCpuList} from '../cluster/affinity.js';
import type {ScreenAction, ScreenState, ScreenStore} from './use-screen-state.js';

export type SpecialKey =
	| 'up'
	| 'down'
	| 'left'
	| 'right'
	| 'page-up'
	| 'page-down'
	| 'home'
	| 'end'
	| 'enter'
	| 'escape'
	| 'tab'
	| 'backspace'
	| 'space'
	| 'interrupt';

/** One key press: a named key, or one typed character. */
export type Press = {special: SpecialKey} | {text: string};

/**
 * Ink's (input, key) pair as key presses. Ink hands over plain text that arrived in one read as
 * one string (fast typing over SSH, key repeat, a paste): each character is its own press, so
 * `jjj` moves three rows. Keys the screen has no use for give none.
 */
export function readPresses(input: string, key: Key): Press[] {
	const special = (name: SpecialKey): Press[] => [{special: name}];
	if (key.ctrl && input === 'c') return special('interrupt');
	if (key.upArrow) return special('up');
	if (key.downArrow) return special('down');
	if (key.leftArrow) return special('left');
	if (key.rightArrow) return special('right');
	if (key.pageUp) return special('page-up');
	if (key.pageDown) return special('page-down');
	if (key.home) return special('home');
	if (key.end) return special('end');
	// Terminals send CR for Enter in raw mode; LF comes from some pastes and ttys.
	if (key.return || input === '\n') return special('enter');
	if (key.escape) return special('escape');
	if (key.tab) return special('tab');
	// Most terminals send DEL (which Ink calls delete) for the Backspace key.
	if (key.backspace || key.delete) return special('backspace');
	if (key.ctrl || key.meta) return [];
	return [...input].flatMap((char): Press[] => {
		const named = CONTROL_CHARACTERS[char];
		if (named) return special(named);
		return char < ' ' ? [] : [{text: char}];
	});
}

/** Control characters that arrive inside a run of text (Ink splits runs only at ESC). */
const CONTROL_CHARACTERS: Record<string, SpecialKey> = {
	' ': 'space',
	'\r': 'enter',
	'\n': 'enter',
	'\t': 'tab',
	'\b': 'backspace',
	'\u007F': 'backspace',
	'\u0003': 'interrupt',
};

export type NodeCommand = 'start' | 'stop' | 'kill' | 'restart';

export type KeyEffect =
	| {kind: 'node-command'; command: NodeCommand; node: string}
	| {kind: 'restart-all'}
	/** Open the affinity editor: needs the client for the online CPUs and the node's affinity. */
	| {kind: 'edit-affinity'; node: string}
	| {kind: 'pin'; node: string; cpus: number[]}
	| {kind: 'quit'}
	| {kind: 'kill-all'};

export type KeyOutcome = {actions: ScreenAction[]; effect?: KeyEffect};

/** What a key needs to know beyond the screen state: the cluster and the current layout. */
export type KeyContext = {
	nodeState(name: string): NodeState | undefined;
	/** Node rows the table shows now. */
	tablePage: number;
	/** Log lines the pane shows now. */
	panePage(node: string): number;
	paneLineCount(node: string): number;
	maxPanes: number;
	/** Lines of the node details on screen now, and how far they can scroll. */
	detailPage: number;
	detailMaxScroll: number;
	/** The terminal is below the minimum size: only quitting works (`q`, Ctrl-C). */
	tooSmall: boolean;
};

const NOTHING: KeyOutcome = {actions: []};

const is = (press: Press, ...names: string[]): boolean =>
	'special' in press ? names.includes(press.special) : names.includes(press.text);

const info = (text: string): ScreenAction => ({type: 'message', message: {text, tone: 'info'}});

const quit = (): KeyOutcome => ({
	actions: [{type: 'open-dialog', dialog: {kind: 'quitting', killing: false}}],
	effect: {kind: 'quit'},
});

const askToQuit: KeyOutcome = {
	actions: [{type: 'open-dialog', dialog: {kind: 'confirm', question: 'quit'}}],
};

export function interpretKey(state: ScreenState, press: Press, context: KeyContext): KeyOutcome {
	const dialog = state.dialog;
	// While the cluster stops, Ctrl-C kills what is left (as a second SIGINT does); nothing else.
	if (dialog?.kind === 'quitting') {
		if (!is(press, 'interrupt') || dialog.killing) return NOTHING;
		return {
			actions: [{type: 'open-dialog', dialog: {kind: 'quitting', killing: true}}],
			effect: {kind: 'kill-all'},
		};
	}
	// Ctrl-C asks what `q` asks, from anywhere; asked already, it leaves the question open.
	if (is(press, 'interrupt')) {
		return dialog?.kind === 'confirm' && dialog.question === 'quit' ? NOTHING : askToQuit;
	}

	// A dialog has the keyboard; `q` there closes it and never quits.
	switch (dialog?.kind) {
		case 'help':
			return is(press, '?', 'escape', 'q') ? {actions: [{type: 'close-dialog'}]} : NOTHING;

		case 'confirm':
			if (is(press, 'y', 'Y')) {
				if (dialog.question === 'quit') return quit();
				return {
					actions: [{type: 'close-dialog'}, info('Restarting the whole cluster…')],
					effect: {kind: 'restart-all'},
				};
			}
			return is(press, 'n', 'N', 'escape', 'q') ? {actions: [{type: 'close-dialog'}]} : NOTHING;
	}

	// Too small to show anything else: `q` still asks (its answer is handled above).
	if (context.tooSmall) return is(press, 'q') ? askToQuit : NOTHING;

	switch (dialog?.kind) {
		case 'detail': {
			if (is(press, 'escape', 'q', 'i')) return {actions: [{type: 'close-dialog'}]};
			const scroll = (by: number): KeyOutcome => ({
				actions: [{type: 'detail-scroll', by, maxScroll: context.detailMaxScroll}],
			});
			if (is(press, 'up', 'k')) return scroll(-1);
			if (is(press, 'down', 'j')) return scroll(1);
			if (is(press, 'page-up')) return scroll(-context.detailPage);
			if (is(press, 'page-down', 'space')) return scroll(context.detailPage);
			if (is(press, 'home')) return scroll(-Infinity);
			if (is(press, 'end')) return scroll(Infinity);
			return NOTHING;
		}

		case 'affinity':
			if (is(press, 'escape', 'q')) return {actions: [{type: 'close-dialog'}]};
			if (dialog.busy) return NOTHING;
			if (is(press, 'space')) return {actions: [{type: 'affinity-toggle'}]};
			if (is(press, 'left', 'up', 'k', 'h')) return {actions: [{type: 'affinity-move', by: -1}]};
			if (is(press, 'right', 'down', 'j', 'l')) return {actions: [{type: 'affinity-move', by: 1}]};
			if (is(press, 'enter')) {
				if (dialog.ticked.length === 0) {
					return {actions: [{type: 'affinity-failed', error: 'Tick at least one CPU.'}]};
				}
				return {
					actions: [{type: 'affinity-applying'}],
					effect: {kind: 'pin', node: dialog.node, cpus: dialog.ticked},
				};
			}
			return NOTHING;
	}

	const move = (by: number): KeyOutcome => ({
		actions: [{type: 'move', by, viewport: context.tablePage}],
	});

	// Typing into the filter: text is filter text, never a command.
	if (state.filtering) {
		if (is(press, 'escape')) return {actions: [{type: 'filter-clear'}]};
		if (is(press, 'enter')) return {actions: [{type: 'filter-keep'}]};
		if (is(press, 'backspace')) return {actions: [{type: 'filter-backspace'}]};
		if (is(press, 'space')) return {actions: [{type: 'filter-type', text: ' '}]};
		if (is(press, 'up')) return move(-1);
		if (is(press, 'down')) return move(1);
		if ('text' in press) return {actions: [{type: 'filter-type', text: press.text}]};
		return NOTHING;
	}

	const clear: ScreenAction[] = state.message ? [{type: 'clear-message'}] : [];
	const outcome = (actions: ScreenAction[], effect?: KeyEffect): KeyOutcome => ({
		actions: [...clear, ...actions],
		effect,
	});
	const selected = state.selected;
	const focused = state.focusedPane;
	// Paging the table moves the selection; paging a focused pane scrolls its log.
	const pageBy = (direction: 1 | -1): KeyOutcome => {
		if (focused === undefined) return outcome(move(direction * context.tablePage).actions);
		const page = context.panePage(focused);
		const maxScroll = Math.max(0, context.paneLineCount(focused) - page);
		return outcome([{type: 'scroll-pane', node: focused, by: -direction * page, maxScroll}]);
	};

	if (is(press, 'up', 'k')) return outcome(move(-1).actions);
	if (is(press, 'down', 'j')) return outcome(move(1).actions);
	if (is(press, 'home')) return outcome(move(-Infinity).actions);
	if (is(press, 'end')) return outcome(move(Infinity).actions);
	if (is(press, 'page-up')) return pageBy(-1);
	if (is(press, 'page-down')) return pageBy(1);
	if (is(press, 'tab')) return outcome([{type: 'focus-next'}]);
	if (is(press, '/')) return outcome([{type: 'filter-start'}]);
	if (is(press, '?')) return outcome([{type: 'open-dialog', dialog: {kind: 'help'}}]);
	if (is(press, 'q')) {
		return outcome([{type: 'open-dialog', dialog: {kind: 'confirm', question: 'quit'}}]);
	}
	if (is(press, 'R')) {
		return outcome([{type: 'open-dialog', dialog: {kind: 'confirm', question: 'restart-all'}}]);
	}
	if (is(press, 'escape')) {
		if (state.filter !== '') return outcome([{type: 'filter-clear'}]);
		if (focused !== undefined) return outcome([{type: 'focus-next'}]);
		return outcome([]);
	}
	if (is(press, 'f')) {
		const pane = focused ?? state.panes.find((candidate) => candidate.node === selected)?.node;
		return outcome(pane === undefined ? [] : [{type: 'follow', node: pane}]);
	}

	if (selected === undefined) return outcome([]);
	const nodeState = context.nodeState(selected);
	if (is(press, 'enter', 'l')) {
		return outcome([{type: 'toggle-pane', node: selected, maxPanes: context.maxPanes}]);
	}
	if (is(press, 'a')) return outcome([], {kind: 'edit-affinity', node: selected});
	if (is(press, 'i')) {
		return outcome([{type: 'open-dialog', dialog: {kind: 'detail', node: selected, scroll: 0}}]);
	}
	if (is(press, 'r')) {
		return outcome([info(`Restarting ${selected}…`)], {
			kind: 'node-command',
			command: 'restart',
			node: selected,
		});
	}
	if (is(press, 's')) {
		if (nodeState === 'running' || nodeState === 'starting' || nodeState === 'stopping') {
			return outcome([info(`${selected} is ${nodeState}; s starts a stopped node`)]);
		}
		return outcome([info(`Starting ${selected}…`)], {
			kind: 'node-command',
			command: 'start',
			node: selected,
		});
	}
	if (is(press, 'x', 'X')) {
		if (nodeState === 'stopped') return outcome([info(`${selected} is stopped already`)]);
		const command = is(press, 'x') ? 'stop' : 'kill';
		const verb = command === 'stop' ? 'Stopping' : 'Killing';
		return outcome([info(`${verb} ${selected}…`)], {kind: 'node-command', command, node: selected});
	}
	return NOTHING;
}

const errorText = (error: unknown): string =>
	error instanceof Error ? error.message : String(error);

/** Carries out a key's effect against the cluster; results come back to the store as actions. */
export function runKeyEffect(
	effect: KeyEffect,
	client: ClusterClient,
	store: ScreenStore,
	exit: (error?: Error) => void,
): void {
	const fail = (error: unknown) =>
		store.dispatch({type: 'message', message: {text: errorText(error), tone: 'error'}});
	/** A command that answers at once: its error becomes the footer's message. */
	const attempt = (command: () => void) => {
		try {
			command();
		} catch (error) {
			fail(error);
		}
	};
	switch (effect.kind) {
		case 'node-command':
			attempt(() => client[effect.command](effect.node));
			return;

		case 'restart-all':
			attempt(() => client.restartAll());
			return;

		case 'edit-affinity': {
			const node = client.snapshot().nodes.find((candidate) => candidate.name === effect.node);
			let online: number[];
			try {
				online = client.onlineCpus();
			} catch (error) {
				fail(error);
				return;
			}
			// What the kernel says now; a node without a process shows its pin, or every CPU.
			const current = node?.cpus ?? node?.pin ?? online;
			const ticked = online.filter((cpu) => current.includes(cpu));
			const firstTicked = online.findIndex((cpu) => ticked.includes(cpu));
			store.dispatch({
				type: 'open-dialog',
				dialog: {
					kind: 'affinity',
					node: effect.node,
					online,
					ticked,
					cursor: Math.max(0, firstTicked),
					busy: false,
				},
			});
			return;
		}

		case 'pin':
			client.pin(effect.node, effect.cpus).then(
				() => {
					// The operator may have left the editor (Esc) and opened something else meanwhile.
					const dialog = store.get().dialog;
					if (dialog?.kind === 'affinity' && dialog.node === effect.node) {
						store.dispatch({type: 'close-dialog'});
					}
					store.dispatch({
						type: 'message',
						message: {
							text: `${effect.node} pinned to CPUs ${formatCpuList(effect.cpus)}`,
							tone: 'info',
						},
					});
				},
				(error: unknown) => store.dispatch({type: 'affinity-failed', error: errorText(error)}),
			);
			return;

		case 'kill-all':
			attempt(() => client.killAll());
			return;

		case 'quit':
			client.stopAll().then(
				() => exit(),
				(error: unknown) => exit(error instanceof Error ? error : new Error(String(error))),
			);
			return;
	}
}

/** Listens to the keyboard for the whole screen. `context` may change on every render. */
export function useKeys(client: ClusterClient, store: ScreenStore, context: KeyContext): void {
	const {exit} = useApp();
	const contextRef = useRef(context);
	useEffect(() => {
		contextRef.current = context;
	});
	const onInput = useCallback(
		(input: string, key: Key) => {
			for (const press of readPresses(input, key)) {
				const {actions, effect} = interpretKey(store.get(), press, contextRef.current);
				for (const action of actions) store.dispatch(action);
				if (effect) runKeyEffect(effect, client, store, exit);
			}
		},
		[client, store, exit],
	);
	useInput(onInput);
}
